"""Events of the identity domain. None carries a password, a hash or a reset token.

Topics: ``identity.user.v1`` (key ``user_id``: registered, password changed, roles changed,
deleted),
``identity.password_reset.v1`` (key ``reset_id``: reset requested) and
``identity.sign_up_attempt.v1`` (key ``attempt_id``: a registered address signed up again).
"""

from events.schemas.identity.password_reset import PasswordResetRequested
from events.schemas.identity.sign_up_attempt import SignUpAttempted
from events.schemas.identity.user import (
    PasswordChanged,
    UserDeleted,
    UserRegistered,
    UserRolesChanged,
)

__all__ = [
    "PasswordChanged",
    "PasswordResetRequested",
    "SignUpAttempted",
    "UserDeleted",
    "UserRegistered",
    "UserRolesChanged",
]

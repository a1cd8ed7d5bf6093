"""Events of the identity domain. None carries a password, a hash or a reset token.

Topics: ``identity.user.v1`` (key ``user_id``: registered, password changed, roles changed,
deleted) and
``identity.password_reset.v1`` (key ``reset_id``: reset requested).
"""

from events.schemas.identity.password_reset import PasswordResetRequested
from events.schemas.identity.user import (
    PasswordChanged,
    UserDeleted,
    UserRegistered,
    UserRolesChanged,
)

__all__ = [
    "PasswordChanged",
    "PasswordResetRequested",
    "UserDeleted",
    "UserRegistered",
    "UserRolesChanged",
]

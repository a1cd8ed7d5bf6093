"""Events of the identity domain. None carries a password, a hash or a reset token.

Topics: ``identity.user.v1`` (key ``user_id``: registered, password changed) and
``identity.password_reset.v1`` (key ``reset_id``: reset requested).
"""

from events.schemas.identity.password_reset import PasswordResetRequested
from events.schemas.identity.user import PasswordChanged, UserRegistered

__all__ = ["PasswordChanged", "PasswordResetRequested", "UserRegistered"]

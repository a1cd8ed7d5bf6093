"""Request and response bodies of identity's routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field

from domains.identity.model import MAX_EMAIL, User
from domains.identity.passwords import MAX_PASSWORD, MIN_PASSWORD
from domains.identity.principal import ROLES
from domains.identity.session_handlers import TokenPair
from domains.shared.fields import NOT_BLANK, WHITE_SPACE

# The document shows the domain's rules (model.normalize_email, passwords.check_password_policy)
# so that no request valid by it is refused; the domain checks them, with its own codes.
_SPACE = f"[{WHITE_SPACE}]"
_PART = f"[^@{WHITE_SPACE}]"
Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=MAX_EMAIL,
        examples=["ada@example.com"],
        json_schema_extra={"pattern": f"^{_SPACE}*{_PART}+@{_PART}+\\.{_PART}+{_SPACE}*$"},
    ),
]
# Log-in and reset requests answer the same for any address: no pattern there.
AnyEmail = Annotated[str, Field(min_length=3, max_length=MAX_EMAIL, examples=["ada@example.com"])]
Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
NewPassword = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_PASSWORD,
        description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, not only white space",
        json_schema_extra={"minLength": MIN_PASSWORD, **NOT_BLANK},
    ),
]
# Documented as the known roles; the domain checks them (bad_roles), so the answer has a code.
Role = Annotated[str, Field(json_schema_extra={"enum": sorted(ROLES)})]
RefreshToken = Annotated[str, Field(min_length=1, max_length=200)]
RESET_ACCEPTED = "If the address is registered, a reset link is on its way."
REGISTER_ACCEPTED = (
    "If the address was free, its account exists now: log in with this password. "
    "An address that has an account keeps it (forgot its password? ask for a reset link)."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(_Body):
    """Body of ``POST /v1/auth/register``."""

    email: Email
    password: NewPassword


class LoginIn(_Body):
    """Body of ``POST /v1/auth/login``."""

    email: AnyEmail
    password: Password


class RefreshIn(_Body):
    """Body of ``POST /v1/auth/refresh``: the refresh token of the last pair (works once)."""

    refresh_token: RefreshToken


class PasswordChangeIn(_Body):
    """Body of ``POST /v1/me/password``."""

    current_password: Password
    new_password: NewPassword


class RolesIn(_Body):
    """Body of ``PUT /v1/admin/users/{user_id}/roles``: the whole new set."""

    roles: list[Role] = Field(min_length=1, max_length=len(ROLES), examples=[["customer"]])


class PasswordResetIn(_Body):
    """Body of ``POST /v1/auth/password-reset``."""

    email: AnyEmail


class PasswordResetConfirmIn(_Body):
    """Body of ``POST /v1/auth/password-reset/confirm``: the token from the e-mail's link."""

    token: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class TokenOut(BaseModel):
    """A session's tokens: send ``Authorization: Bearer <access_token>``; when it expires, post
    ``refresh_token`` to ``/v1/auth/refresh`` for the next pair (each refresh token works once)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth 2 token type, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires")
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime

    @classmethod
    def of(cls, pair: TokenPair, ttl_seconds: int) -> Self:
        """The body of a new pair."""
        return cls(
            access_token=pair.access.token,
            expires_in=ttl_seconds,
            expires_at=pair.access.expires_at,
            refresh_token=pair.refresh_token,
            refresh_expires_at=pair.refresh_expires_at,
        )


class UserOut(BaseModel):
    """An account as its owner (or an admin) sees it."""

    user_id: uuid.UUID
    email: str
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        """The view of ``user``."""
        return cls(
            user_id=user.id, email=user.email, roles=sorted(user.roles), created_at=user.created_at
        )


class AcceptedOut(BaseModel):
    """The request was accepted; the outcome is not disclosed."""

    detail: str

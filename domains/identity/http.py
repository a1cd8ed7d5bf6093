"""HTTP routes of identity: register, log in, password reset, and ``/v1/me``.

The composition root passes in ``principal``, the dependency that authenticates a request.
"""

# No ``from __future__ import annotations``: FastAPI must see the ``Depends(principal)`` of
# ``/v1/me``, which refers to a closure variable, as a real object.
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field

from domains.identity import handlers
from domains.identity.model import MAX_EMAIL, User
from domains.identity.passwords import MAX_PASSWORD, MIN_PASSWORD
from domains.identity.principal import Principal
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared.fields import NOT_BLANK, WHITE_SPACE
from domains.shared.problems import problem_responses

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
RESET_ACCEPTED = "If the address is registered, a reset link is on its way."


class RegisterIn(BaseModel):
    """Body of ``POST /v1/auth/register``."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: NewPassword


class LoginIn(BaseModel):
    """Body of ``POST /v1/auth/login``."""

    model_config = ConfigDict(extra="forbid")

    email: AnyEmail
    password: Password


class PasswordResetIn(BaseModel):
    """Body of ``POST /v1/auth/password-reset``."""

    model_config = ConfigDict(extra="forbid")

    email: AnyEmail


class PasswordResetConfirmIn(BaseModel):
    """Body of ``POST /v1/auth/password-reset/confirm``: the token from the e-mail."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class TokenOut(BaseModel):
    """A bearer access token; send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth 2 token type, not a secret)
    expires_in: int = Field(description="Seconds until the token expires")
    expires_at: datetime


class UserOut(BaseModel):
    """An account as its owner sees it."""

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


def build_router(
    uow: Callable[[], IdentityUnitOfWork],
    *,
    settings: handlers.IdentitySettings,
    principal: Callable[..., Any],
) -> APIRouter:
    """The ``/v1/auth`` routes and ``/v1/me``; ``principal`` authenticates (401 otherwise)."""
    router = APIRouter(tags=["identity"])
    _account_routes(router, uow, settings)
    _reset_routes(router, uow, settings)

    @router.get(
        "/v1/me",
        response_model=UserOut,
        responses=problem_responses({404: ["user_not_found"]}),
    )
    async def read_me(caller: Annotated[Principal, Depends(principal)]) -> UserOut:
        """The account of the caller."""
        return UserOut.of(await handlers.get_user(caller.user_id, uow()))

    return router


def _account_routes(
    router: APIRouter, uow: Callable[[], IdentityUnitOfWork], settings: handlers.IdentitySettings
) -> None:
    @router.post(
        "/v1/auth/register",
        status_code=status.HTTP_201_CREATED,
        response_model=UserOut,
        responses=problem_responses({409: ["email_taken"], 422: ["bad_email", "weak_password"]}),
    )
    async def register(body: RegisterIn, response: Response) -> UserOut:
        """Create a customer account; ``UserRegistered`` follows."""
        user = await handlers.register_user(handlers.RegisterUser(body.email, body.password), uow())
        response.headers["Location"] = "/v1/me"
        return UserOut.of(user)

    @router.post(
        "/v1/auth/login",
        response_model=TokenOut,
        responses=problem_responses({401: ["invalid_credentials"]}),
    )
    async def log_in(body: LoginIn) -> TokenOut:
        """Exchange e-mail and password for a short-lived bearer token."""
        token = await handlers.login(body.email, body.password, uow(), settings)
        return TokenOut(
            access_token=token.token,
            expires_in=settings.access_token_ttl_seconds,
            expires_at=token.expires_at,
        )


def _reset_routes(
    router: APIRouter, uow: Callable[[], IdentityUnitOfWork], settings: handlers.IdentitySettings
) -> None:
    @router.post(
        "/v1/auth/password-reset",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=AcceptedOut,
    )
    async def request_reset(body: PasswordResetIn) -> AcceptedOut:
        """Ask for a reset link by e-mail; the answer is the same for unknown addresses."""
        await handlers.request_password_reset(body.email, uow(), settings)
        return AcceptedOut(detail=RESET_ACCEPTED)

    @router.post(
        "/v1/auth/password-reset/confirm",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(
            {
                422: [
                    "reset_token_invalid",
                    "reset_token_used",
                    "reset_token_expired",
                    "weak_password",
                ]
            }
        ),
    )
    async def confirm_reset(body: PasswordResetConfirmIn) -> Response:
        """Set a new password with the token from the e-mail (works once)."""
        await handlers.reset_password(handlers.ResetPassword(body.token, body.new_password), uow())
        return Response(status_code=status.HTTP_204_NO_CONTENT)

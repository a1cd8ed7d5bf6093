"""Command and query handlers of identity: accounts, log-in, password reset."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from domains.identity.model import PasswordReset, User, normalize_email
from domains.identity.passwords import (
    burn_verification_time,
    check_password_policy,
    hash_password,
    verify_password,
)
from domains.identity.principal import CUSTOMER, Unauthenticated
from domains.identity.reset_tokens import derive_reset_token, hash_reset_token
from domains.identity.tokens import AccessToken, issue_access_token
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared import InvalidInput, NotFound

log = structlog.get_logger("orderflow.identity")


@dataclass(frozen=True)
class IdentitySettings:
    """Secrets and lifetimes identity needs; the composition root fills them from settings."""

    secret: str = field(repr=False)
    access_token_ttl_seconds: int = 900
    password_reset_ttl_seconds: int = 3600


@dataclass(frozen=True)
class RegisterUser:
    """Command: create an account (self-registration makes customers)."""

    email: str
    password: str = field(repr=False)
    roles: frozenset[str] = frozenset({CUSTOMER})


@dataclass(frozen=True)
class ResetPassword:
    """Command: set a new password with a reset token."""

    token: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True)
class IssuedReset:
    """A reset just issued; ``token`` goes to the user's mailbox only, never into an event."""

    reset_id: uuid.UUID
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True)
class ResetLink:
    """What the notification consumer needs to e-mail a reset link."""

    reset_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    token: str = field(repr=False)
    expires_at: datetime


async def register_user(command: RegisterUser, uow: IdentityUnitOfWork) -> User:
    """Create the user and its ``UserRegistered`` event; ``email_taken`` when registered."""
    email = normalize_email(command.email)
    check_password_policy(command.password)
    password_hash = await asyncio.to_thread(hash_password, command.password)
    user = User.register(email, password_hash, command.roles)
    async with uow:
        await uow.users.add(user)
        await uow.commit()
    log.info("user_registered", user_id=str(user.id), roles=sorted(user.roles))
    return user


async def login(
    email: str, password: str, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> AccessToken:
    """An access token for valid credentials; one error (invalid_credentials) for all others."""
    async with uow:
        user = await uow.users.by_email(email.strip().lower())
    if user is None:
        await asyncio.to_thread(burn_verification_time, password)
    elif await asyncio.to_thread(verify_password, user.password_hash, password):
        log.info("login_succeeded", user_id=str(user.id))
        return issue_access_token(
            user.principal(), secret=settings.secret, ttl_seconds=settings.access_token_ttl_seconds
        )
    raise Unauthenticated("e-mail or password is wrong", code="invalid_credentials")


async def request_password_reset(
    email: str, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> IssuedReset | None:
    """Issue a reset for the account of ``email``; None (and nothing stored) when unknown."""
    reset_id = uuid.uuid4()
    token = derive_reset_token(settings.secret, reset_id)
    ttl = timedelta(seconds=settings.password_reset_ttl_seconds)
    async with uow:
        user = await uow.users.by_email(email.strip().lower())
        if user is None:
            return None
        reset = PasswordReset.issue(reset_id, user.id, hash_reset_token(token), ttl)
        await uow.resets.add(reset)
        await uow.commit()
    log.info("password_reset_requested", user_id=str(user.id), reset_id=str(reset_id))
    return IssuedReset(reset_id, token, reset.expires_at)


async def reset_password(command: ResetPassword, uow: IdentityUnitOfWork) -> None:
    """Set the new password once per token (``PasswordChanged``); other open links die too."""
    check_password_policy(command.new_password)
    password_hash = await asyncio.to_thread(hash_password, command.new_password)
    now = datetime.now(UTC)
    async with uow:
        reset = await uow.resets.lock_by_token_hash(hash_reset_token(command.token))
        if reset is None:
            raise InvalidInput("this reset link is not valid", code="reset_token_invalid")
        reset.use(now)
        user = await uow.users.get(reset.user_id)
        assert user is not None  # a reset row references its user (foreign key)
        user.change_password(password_hash)
        await uow.users.save(user)
        await uow.resets.mark_used(reset)
        await uow.resets.retire_open(user.id, now)
        await uow.commit()
    log.info("password_changed", user_id=str(user.id), reset_id=str(reset.id))


async def get_reset_link(
    reset_id: uuid.UUID, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> ResetLink:
    """The raw token of a still-usable reset, recomputed now (for the e-mail only)."""
    async with uow:
        reset = await uow.resets.get(reset_id)
        user = None if reset is None else await uow.users.get(reset.user_id)
    if reset is None or user is None:
        raise NotFound(f"password reset {reset_id} does not exist", code="reset_not_found")
    reset.check_usable(datetime.now(UTC))
    token = derive_reset_token(settings.secret, reset_id)
    return ResetLink(reset_id, user.id, user.email, token, reset.expires_at)


async def get_user(user_id: uuid.UUID, uow: IdentityUnitOfWork) -> User:
    """The user, or ``NotFound``."""
    async with uow:
        user = await uow.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", code="user_not_found")
    return user

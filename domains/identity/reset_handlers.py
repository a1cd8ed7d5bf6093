"""Password reset: request a link by e-mail, set a new password with its token.

The request answers the same, in the same time, for known and unknown addresses: the HTTP route
runs ``request_password_reset`` after the response is sent. Confirming checks the token (one
index look-up) before it pays for the password hash, so a made-up token costs nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from domains.identity.model import PasswordReset
from domains.identity.passwords import check_password_policy
from domains.identity.reset_tokens import derive_reset_token, hash_reset_token
from domains.identity.settings import IdentitySettings
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared import InvalidInput, NotFound

log = structlog.get_logger("orderflow.identity")


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


async def request_password_reset(
    email: str, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> IssuedReset | None:
    """Issue a reset for the account of ``email``; None (and nothing stored) when unknown."""
    reset_id = uuid.uuid4()
    token = derive_reset_token(settings.reset_secret, reset_id)
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


async def reset_password(
    command: ResetPassword, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> None:
    """Set the new password once per token (``PasswordChanged``); other open links and every
    session of the user end with it."""
    check_password_policy(command.new_password)
    token_hash = hash_reset_token(command.token)
    async with uow:  # cheap first: is the token any good?
        await _usable_reset(uow, token_hash, datetime.now(UTC))
    password_hash = await asyncio.to_thread(settings.passwords.hash, command.new_password)
    now = datetime.now(UTC)
    async with uow:
        reset = await _usable_reset(uow, token_hash, now, lock=True)
        reset.use(now)
        user = await uow.users.get(reset.user_id)
        assert user is not None  # a reset row references its user (foreign key)
        user.change_password(password_hash)
        await uow.users.save(user)
        await uow.resets.mark_used(reset)
        await uow.resets.retire_open(user.id, now)
        await uow.sessions.end_all(user.id, now, "password_reset")
        await uow.commit()
    log.info("password_changed", user_id=str(user.id), reset_id=str(reset.id))


async def _usable_reset(
    uow: IdentityUnitOfWork, token_hash: bytes, now: datetime, *, lock: bool = False
) -> PasswordReset:
    reset = await uow.resets.by_token_hash(token_hash, lock=lock)
    if reset is None:
        raise InvalidInput("this reset link is not valid", code="reset_token_invalid")
    reset.check_usable(now)
    return reset


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
    token = derive_reset_token(settings.reset_secret, reset_id)
    return ResetLink(reset_id, user.id, user.email, token, reset.expires_at)

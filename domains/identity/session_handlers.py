"""Sessions: opened by a log-in, kept alive by rotating refresh tokens, ended for good.

A refresh token works once. Presenting a spent one means two parties hold the session's
tokens (one of them stole it), so the whole session ends: both lose it, the owner logs in again.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from domains.identity.access_tokens import issue_access_token
from domains.identity.model import User
from domains.identity.principal import Principal, Unauthenticated
from domains.identity.settings import IdentitySettings
from domains.identity.signing import SignedToken
from domains.identity.unit_of_work import IdentityUnitOfWork

log = structlog.get_logger("orderflow.identity")


@dataclass(frozen=True)
class TokenPair:
    """A short access token and the refresh token that gets the next pair."""

    access: SignedToken
    refresh_token: str = field(repr=False)
    refresh_expires_at: datetime
    session_id: uuid.UUID


def hash_refresh_token(token: str) -> bytes:
    """What the database stores and looks refresh tokens up by."""
    return hashlib.sha256(token.encode()).digest()


async def start_session(
    user: User, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> TokenPair:
    """Open a session for ``user`` in ``uow`` (the caller commits); refused if the user changed
    since it was read (a concurrent password change wins over a log-in)."""
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=settings.session_max_lifetime_seconds)
    session_id = await uow.sessions.open(user.id, user.version, now, expires)
    if session_id is None:
        raise invalid_credentials()
    return await _next_pair(user.principal(), session_id, expires, uow, settings, now)


async def refresh_session(
    refresh_token: str, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> TokenPair:
    """Rotate ``refresh_token`` into a new pair; a spent one ends its session."""
    token_hash = hash_refresh_token(refresh_token)
    now = datetime.now(UTC)
    async with uow:
        presented = await uow.sessions.lock_refresh_token(token_hash)
        if presented is None:
            raise _invalid_refresh()
        if presented.used_at is not None:
            await uow.sessions.end(presented.session_id, now, "refresh_token_reused")
            await uow.commit()
            log.warning("refresh_token_reused", session_id=str(presented.session_id))
            raise Unauthenticated(
                "this refresh token was used already; the session has ended, log in again",
                code="refresh_token_reused",
            )
        live = presented.ended_at is None and now < presented.token_expires_at
        user = await uow.users.get(presented.user_id) if live else None
        if user is None or now >= presented.session_expires_at:
            raise _invalid_refresh()
        await uow.sessions.spend_refresh_token(token_hash, now)
        pair = await _next_pair(
            user.principal(), presented.session_id, presented.session_expires_at, uow, settings, now
        )
        await uow.commit()
    return pair


async def end_session(principal: Principal, uow: IdentityUnitOfWork) -> None:
    """Log out: the caller's session and every token it issued stop working."""
    if principal.session_id is None:
        return
    async with uow:
        await uow.sessions.end(principal.session_id, datetime.now(UTC), "logout")
        await uow.commit()
    log.info("logged_out", user_id=str(principal.user_id), session_id=str(principal.session_id))


async def _next_pair(
    principal: Principal,
    session_id: uuid.UUID,
    session_expires: datetime,
    uow: IdentityUnitOfWork,
    settings: IdentitySettings,
    now: datetime,
) -> TokenPair:
    refresh = _new_refresh_token()
    refresh_expires = min(
        now + timedelta(seconds=settings.refresh_token_ttl_seconds), session_expires
    )
    await uow.sessions.add_refresh_token(
        hash_refresh_token(refresh), session_id, now, refresh_expires
    )
    access = issue_access_token(
        principal, session_id, keys=settings.keys, rules=settings.access_rules, now=now
    )
    return TokenPair(access, refresh, refresh_expires, session_id)


def _new_refresh_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def _invalid_refresh() -> Unauthenticated:
    return Unauthenticated(
        "this refresh token is not valid (expired, ended or unknown); log in again",
        code="invalid_refresh_token",
    )


def invalid_credentials() -> Unauthenticated:
    """The one answer to a wrong address, a wrong password or a log-in that lost a race."""
    return Unauthenticated("e-mail or password is wrong", code="invalid_credentials")

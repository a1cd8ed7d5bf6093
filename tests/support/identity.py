"""Accounts and tokens for tests: real users with real sessions, made through identity's api.

Tests hash with cheap argon2 parameters (``CHEAP_HASHING``): the cost of production parameters
buys nothing in a test and would slow every shopper down.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity import api as identity
from orderflow.settings import Settings
from orderflow.wiring.identity import identity_settings

PASSWORD = "correct horse battery staple"
CHEAP_HASHING = {
    "password_hash_time_cost": 1,
    "password_hash_memory_kib": 1024,
    "password_hash_parallelism": 1,
}


def identity_config(settings: Settings) -> identity.IdentitySettings:
    """The identity settings an API built from ``settings`` uses (same keys, same rules)."""
    return identity_settings(settings)


async def new_user(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *roles: str
) -> identity.User:
    """A registered user with ``roles`` (customer by default) and the password ``PASSWORD``."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    command = identity.RegisterUser(email, PASSWORD, frozenset(roles or ("customer",)))
    config = identity_config(settings)
    return await identity.register_user(
        command, identity.IdentityUnitOfWork(sessions), config.passwords
    )


async def signed_in(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *roles: str
) -> tuple[identity.User, identity.TokenPair]:
    """A new user with ``roles`` and the tokens of a fresh session."""
    user = await new_user(sessions, settings, *roles)
    pair = await identity.login(
        user.email, PASSWORD, identity.IdentityUnitOfWork(sessions), identity_config(settings)
    )
    return user, pair


def minted_token(
    settings: Settings,
    *roles: str,
    now: datetime | None = None,
    ttl_seconds: int | None = None,
    session_id: uuid.UUID | None = None,
) -> str:
    """A correctly signed access token for a made-up user and session (refused by a real
    session check: for tests of what happens before it)."""
    config = identity_config(settings)
    principal = identity.Principal(uuid.uuid4(), frozenset(roles or ("customer",)))
    return identity.issue_access_token(
        principal,
        session_id or uuid.uuid4(),
        keys=config.keys,
        rules=config.access_rules,
        now=now,
        ttl_seconds=ttl_seconds,
    ).token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}

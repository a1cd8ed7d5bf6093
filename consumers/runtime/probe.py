"""Telling a partner's network error from our database's, when the exception cannot say.

A bare ``OSError`` or ``TimeoutError`` out of a handler or an effect is ambiguous: asyncpg
raises ``ConnectionRefusedError`` itself when PostgreSQL is down, and a handler's own client of
a partner (SMTP, a carrier) may raise the same. When the database answers a trivial query the
error was the partner's (a transient failure, retry tiers); when it does not, the batch waits
for the infrastructure like any other database failure.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.errors import Cause, FailureClass, classify, infrastructure_cause

PROBE_TIMEOUT_SECONDS = 2.0


async def database_answers(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether PostgreSQL answers ``SELECT 1`` within a couple of seconds."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # whatever the failure, the database did not answer
        return False
    return True


async def classify_failure(
    error: BaseException, sessions: async_sessionmaker[AsyncSession]
) -> FailureClass:
    """:func:`classify` for what a handler or an effect raised, probing when it is ambiguous."""
    kind = classify(error)
    if kind is FailureClass.INFRASTRUCTURE and infrastructure_cause(error) is Cause.NETWORK:
        return kind if not await database_answers(sessions) else FailureClass.TRANSIENT
    return kind

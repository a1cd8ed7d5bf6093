"""The last failure of each consumer group, kept in ``messaging.consumer_errors`` for status."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import BigInteger, Column, DateTime, Integer, Table, Text, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.errors import describe, message_of
from consumers.runtime.inbox import metadata

log = structlog.get_logger("orderflow.consumers")
WRITE_TIMEOUT_SECONDS = 2.0

consumer_errors = Table(
    "consumer_errors",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("exception_type", Text, nullable=False),
    Column("message", Text, nullable=False),
)


async def remember_error(
    sessions: async_sessionmaker[AsyncSession],
    consumer: str,
    *,
    topic: str,
    partition: int,
    offset: int,
    reason: str,
    error: BaseException,
) -> None:
    """Record the latest failure of ``consumer``; best effort (the database may be the cause)."""
    values = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "reason": reason,
        "exception_type": type(error).__name__,
        "message": message_of(error)[:1000],
        "failed_at": func.now(),
    }
    statement = insert(consumer_errors).values(consumer=consumer, **values)
    try:
        async with asyncio.timeout(WRITE_TIMEOUT_SECONDS), sessions.begin() as session:
            await session.execute(
                statement.on_conflict_do_update(index_elements=["consumer"], set_=values)
            )
    except Exception as exc:  # best effort: the database may be what failed
        log.warning("last_error_not_recorded", consumer=consumer, error=describe(exc))


async def last_errors(session: AsyncSession) -> dict[str, dict[str, object]]:
    """The last failure per consumer group."""
    rows = (await session.execute(select(consumer_errors))).mappings()
    return {row["consumer"]: dict(row) for row in rows}

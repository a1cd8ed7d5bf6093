"""What a test wrote to the outbox, read back by aggregate key (oldest first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Sessions = async_sessionmaker[AsyncSession]


async def outbox_rows(sessions: Sessions, key: object) -> list[Any]:
    """Event type, aggregate version, topic, payload and headers of each row of ``key``."""
    async with sessions() as session:
        result = await session.execute(
            text(
                "SELECT event_type, aggregate_version, topic, payload, headers "
                "FROM outbox.events WHERE key = :key ORDER BY id"
            ),
            {"key": str(key)},
        )
        return list(result)


async def event_types(sessions: Sessions, key: object) -> list[str]:
    """The event type of each outbox row of ``key``."""
    return [row.event_type for row in await outbox_rows(sessions, key)]


async def versioned_event_types(sessions: Sessions, key: object) -> list[tuple[str, int]]:
    """(event type, aggregate version) of each outbox row of ``key``."""
    return [(row.event_type, row.aggregate_version) for row in await outbox_rows(sessions, key)]

"""Reading state and outbox rows back (test support)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def outbox_rows(sessions: async_sessionmaker[AsyncSession], key: object) -> list[Any]:
    """The outbox rows of aggregate ``key``, oldest first."""
    async with sessions() as session:
        result = await session.execute(
            text(
                "SELECT event_type, aggregate_version, topic, payload, headers "
                "FROM outbox.events WHERE key = :key ORDER BY id"
            ),
            {"key": str(key)},
        )
        return list(result)


async def event_types(
    sessions: async_sessionmaker[AsyncSession], key: object
) -> list[tuple[str, int]]:
    """(event type, aggregate version) of every outbox row of ``key``."""
    return [(r.event_type, r.aggregate_version) for r in await outbox_rows(sessions, key)]


async def stock_of(sessions: async_sessionmaker[AsyncSession], sku: str) -> tuple[int, int]:
    """(available, reserved) of ``sku``."""
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT available, reserved FROM catalog.stock_levels WHERE sku = :sku"),
                {"sku": sku},
            )
        ).one()
    return row.available, row.reserved

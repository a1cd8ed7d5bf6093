"""Database look-ups the checkout scenarios assert on."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def order_events(sessions: async_sessionmaker[AsyncSession], order_id: str) -> list[str]:
    """Order and payment event types in the outbox about ``order_id``, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT event_type FROM outbox.events "
                "WHERE (key = :order AND event_type LIKE 'orders.%') "
                "OR key IN (SELECT id::text FROM payments.intents WHERE order_id = :id) "
                "ORDER BY id"
            ),
            {"order": order_id, "id": uuid.UUID(order_id)},
        )
    return [row.event_type for row in rows]


async def orders_of(sessions: async_sessionmaker[AsyncSession], customer: uuid.UUID) -> int:
    """How many orders ``customer`` has."""
    async with sessions() as session:
        value = await session.scalar(
            text("SELECT count(*) FROM orders.orders WHERE customer_id = :c"), {"c": customer}
        )
    return int(value or 0)


async def order_status(sessions: async_sessionmaker[AsyncSession], order_id: str) -> str:
    """The stored status of ``order_id``."""
    async with sessions() as session:
        value = await session.scalar(
            text("SELECT status FROM orders.orders WHERE id = :id"), {"id": uuid.UUID(order_id)}
        )
    return str(value)

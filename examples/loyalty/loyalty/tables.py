"""Loyalty's own schema: the customer of each order, the point entries, the handled event ids."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Uuid, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from orderflow_events.dedupe import processed_events_table

metadata = MetaData(schema="loyalty")

orders = Table(
    "orders",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("customer_id", Uuid, nullable=False),
)

# One row per (order, kind): an order is awarded at most once and taken back at most once.
point_entries = Table(
    "point_entries",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("kind", String(16), primary_key=True),  # award | take_back
    Column("customer_id", Uuid, nullable=False, index=True),
    Column("points", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

processed_events = processed_events_table(metadata)


async def create_schema(connection: AsyncConnection) -> None:
    """Create the schema and tables if missing (a real service would use migrations)."""
    await connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS loyalty")
    await connection.run_sync(metadata.create_all)


async def balance(session: AsyncSession, customer_id: object) -> int:
    """A customer's points."""
    total = await session.scalar(
        select(func.coalesce(func.sum(point_entries.c.points), 0)).where(
            point_entries.c.customer_id == customer_id
        )
    )
    return int(total or 0)

"""Exactly-once effects: remember each handled event id in the subscriber's own database, in
the same transaction as the effect. A redelivered record then finds its id and is skipped.

    processed = processed_events_table(metadata, schema="loyalty")

    async with sessions.begin() as session:
        if not await first_delivery(session, processed, meta):
            return  # already applied
        ...  # the effect, in the same transaction

Needs the ``sqlalchemy`` extra; PostgreSQL (``INSERT ... ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from orderflow_events.metadata import EventMetadata


def processed_events_table(
    metadata: MetaData, *, schema: str | None = None, name: str = "processed_events"
) -> Table:
    """The table of handled event ids: one row per event id, kept as long as you keep it."""
    return Table(
        name,
        metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        schema=schema,
    )


async def first_delivery(session: AsyncSession, table: Table, meta: EventMetadata) -> bool:
    """Record ``meta.event_id`` in the session's transaction; False when it was already there.

    A concurrent delivery of the same event waits on the row lock and then sees it as a
    duplicate, so at most one of them applies its effect.
    """
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        raise NotImplementedError(f"first_delivery supports PostgreSQL, not {dialect}")
    statement = (
        postgresql.insert(table)
        .values(event_id=meta.event_id, event_type=meta.event_type)
        .on_conflict_do_nothing(index_elements=[table.c.event_id])
        .returning(table.c.event_id)
    )
    return (await session.execute(statement)).first() is not None

"""The inbox: one row per (consumer, event id) handled, written with the handler's effects."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from outbox import NAMING_CONVENTION

metadata = MetaData(schema="messaging", naming_convention=NAMING_CONVENTION)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def record_once(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    """Insert the inbox row; False when ``consumer`` already handled ``event_id``."""
    result = await session.execute(
        insert(inbox)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return result.first() is not None

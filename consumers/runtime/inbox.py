"""The inbox: one row per (consumer, event id) handled, written with the handler's effects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Column, DateTime, Index, MetaData, Table, Text, delete, func
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="messaging", naming_convention=NAMING_CONVENTION)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # BRIN: rows arrive in time order; the retention sweep finds old ones at almost no cost to
    # the inserts (see consumers/runtime/retention.py).
    Index("ix_inbox_processed_at", "processed_at", postgresql_using="brin"),
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


# Driver-level SQL: one array parameter, binary-encoded by asyncpg, and no SQLAlchemy bind or
# result processing per id. It still runs on the session's connection, so inside the session's
# transaction. It returns the ids that were ALREADY there rather than the new ones: duplicates
# are rare, so the usual answer is no rows at all (measured: 0.7 µs of CPU per id instead of
# 1.7 returning the new ids, and 3.4 through a typed ``text()``; the server time is the same).
_RECORD_MANY = (
    "WITH fresh AS ("
    "INSERT INTO messaging.inbox (consumer, event_id) SELECT $1::text, unnest($2::uuid[]) "
    "ON CONFLICT DO NOTHING RETURNING event_id) "
    "SELECT id FROM unnest($2::uuid[]) AS id EXCEPT SELECT event_id FROM fresh"
)


async def record_many(
    session: AsyncSession, consumer: str, event_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Insert the inbox rows of a batch in one statement; returns the ids ``consumer`` had
    already handled (before this statement: an id twice in ``event_ids`` is not among them).

    One round trip for the whole batch instead of one per record is what makes batching pay.
    """
    if not event_ids:
        return set()
    connection = await session.connection()
    result = await connection.exec_driver_sql(_RECORD_MANY, (consumer, list(event_ids)))
    return {row[0] for row in result}


async def forget_many(session: AsyncSession, consumer: str, event_ids: Sequence[uuid.UUID]) -> None:
    """Delete inbox rows this transaction wrote for records it then did not handle."""
    if not event_ids:
        return
    await session.execute(
        delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id.in_(event_ids))
    )

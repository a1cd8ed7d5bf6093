"""Operator actions: re-queue retained events for republishing, re-queue parked rows.

Republishing sends the *same* events again (same ``ce_id``): consumers that already handled
them skip them as duplicates; a downstream team rebuilding from scratch gets them all. The
rows go back through the relay, so per-key order and lanes apply as for new rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

REQUEUE_BATCH = 10_000

# Re-queueing and retention take this transaction lock first. Each checks "not pending"
# with its statement's snapshot; without it, retention could delete an event whose pending
# row a concurrent republish had just committed (a pending row without its event).
# (0x0B0E: next to the lane and membership lock classes of outbox.lanes.)
REQUEUE_LOCK = text("SELECT pg_advisory_xact_lock(2830, 0)")
_PUBLISHED = """
    NOT EXISTS (SELECT FROM outbox.pending AS p WHERE p.lane = e.lane AND p.id = e.id)
    AND NOT EXISTS (SELECT FROM outbox.parked AS k WHERE k.id = e.id)
"""
_FILTER = f"""
    {_PUBLISHED}
    AND (CAST(:aggregate AS text) IS NULL OR e.key = :aggregate)
    AND (CAST(:since AS timestamptz) IS NULL OR e.created_at >= :since)
    AND (CAST(:topic AS text) IS NULL OR e.topic = :topic)
"""
_COUNT = text(f"SELECT count(*) FROM outbox.events AS e WHERE {_FILTER}")  # noqa: S608 - constant SQL
# Oldest first, in batches: an aggregate's older rows are always back in the queue first.
_REQUEUE = text(
    f"""
    INSERT INTO outbox.pending (id, lane, topic, key)
    SELECT e.id, e.lane, e.topic, e.key FROM outbox.events AS e
    WHERE {_FILTER} AND e.id > :after
    ORDER BY e.id LIMIT :limit
    ON CONFLICT DO NOTHING
    RETURNING id
    """  # noqa: S608 - constant SQL
)
_UNPARK = text(
    """
    WITH unparked AS (
        DELETE FROM outbox.parked
        WHERE CAST(:ids AS bigint[]) IS NULL OR id = ANY(:ids)
        RETURNING id, lane, attempts, topic, key
    )
    INSERT INTO outbox.pending (id, lane, attempts, topic, key)
    SELECT id, lane, attempts, topic, key FROM unparked
    """
)
# The relay polls too, but a notification sends re-queued rows at once.
_NOTIFY = text("SELECT pg_notify('outbox_events', '')")


@dataclass(frozen=True)
class RepublishFilter:
    """Which retained (published) rows to send again; ``None`` means "any"."""

    aggregate: str | None = None
    since: datetime | None = None
    topic: str | None = None

    def params(self) -> dict[str, object]:
        """The SQL parameters of this filter."""
        return {"aggregate": self.aggregate, "since": self.since, "topic": self.topic}


async def count_retained(engine: AsyncEngine, where: RepublishFilter) -> int:
    """How many retained rows ``where`` selects."""
    async with engine.connect() as conn:
        return int(await conn.scalar(_COUNT, where.params()) or 0)


async def requeue_published(engine: AsyncEngine, where: RepublishFilter) -> int:
    """Mark the rows ``where`` selects unpublished again, in short transactions."""
    total, after = 0, 0
    while True:
        async with engine.begin() as conn:
            await conn.execute(REQUEUE_LOCK)
            result = await conn.execute(
                _REQUEUE, {**where.params(), "after": after, "limit": REQUEUE_BATCH}
            )
            ids = [row.id for row in result]
            await conn.execute(_NOTIFY)
        if not ids:
            return total
        total += len(ids)
        after = max(ids)


async def unpark(engine: AsyncEngine, ids: list[int] | None) -> int:
    """Put parked rows (all when ``ids`` is None) back in the queue; returns how many."""
    async with engine.begin() as conn:
        result = await conn.execute(_UNPARK, {"ids": ids})
        await conn.execute(_NOTIFY)
    return int(result.rowcount or 0)

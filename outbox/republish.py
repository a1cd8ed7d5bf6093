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

_FILTER = """
    published_at IS NOT NULL
    AND (CAST(:aggregate AS text) IS NULL OR key = :aggregate)
    AND (CAST(:since AS timestamptz) IS NULL OR created_at >= :since)
    AND (CAST(:topic AS text) IS NULL OR topic = :topic)
"""
_COUNT = text(f"SELECT count(*) FROM outbox.events WHERE {_FILTER}")  # noqa: S608 - constant SQL
# Oldest first, in batches: an aggregate's older rows are always back in the queue first.
_REQUEUE = text(
    f"""
    UPDATE outbox.events SET published_at = NULL
    WHERE id IN (
        SELECT id FROM outbox.events WHERE {_FILTER} AND id > :after ORDER BY id LIMIT :limit
    )
    RETURNING id
    """  # noqa: S608 - constant SQL
)
_UNPARK = text(
    """
    UPDATE outbox.events SET parked_at = NULL
    WHERE parked_at IS NOT NULL AND published_at IS NULL
      AND (CAST(:ids AS bigint[]) IS NULL OR id = ANY(:ids))
    """
)


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
            result = await conn.execute(
                _REQUEUE, {**where.params(), "after": after, "limit": REQUEUE_BATCH}
            )
            ids = [row.id for row in result]
        if not ids:
            return total
        total += len(ids)
        after = max(ids)


async def unpark(engine: AsyncEngine, ids: list[int] | None) -> int:
    """Put parked rows (all when ``ids`` is None) back in the queue; returns how many."""
    async with engine.begin() as conn:
        result = await conn.execute(_UNPARK, {"ids": ids})
    return int(result.rowcount or 0)

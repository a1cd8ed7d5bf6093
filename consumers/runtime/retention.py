"""Inbox retention: rows older than the retention window are deleted, a batch at a time.

An inbox row exists to recognise an event delivered again. Deliveries come again within known
windows: a relay re-publish right after a crash (seconds), the retry tiers (minutes), a
replayed dead letter or a group re-reading a topic (while the topics keep their records: the
replay window). The retention is validated longer than all of them (``orderflow.settings``),
so deleting older rows never lets a duplicate through.

Each batch is one short transaction deleting at most ``batch_size`` rows by their physical
address; ``SKIP LOCKED`` leaves any row a writer holds for a later sweep, so consumers never
wait on the sweep. The rows are found through the BRIN index on ``processed_at``. Any error
(the database away, a timeout) backs off exponentially and the sweep goes on
(:func:`foundation.jobs.run_every`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import structlog
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.jobs import Backoff, run_every

log = structlog.get_logger("orderflow.consumers.retention")

ROWS_DELETED = Counter(
    "orderflow_inbox_rows_deleted_total", "Inbox rows deleted after the retention window"
)

_DELETE = text(
    """
    DELETE FROM messaging.inbox WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM messaging.inbox
        WHERE processed_at < now() - CAST(:keep AS interval)
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ))
    """
)


@dataclass(frozen=True)
class InboxRetention:
    """How long inbox rows are kept and how the sweep paces itself."""

    keep: timedelta = timedelta(days=14)
    batch_size: int = 5_000
    interval_seconds: float = 300.0
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 300.0


async def delete_expired_inbox(engine: AsyncEngine, keep: timedelta, batch_size: int) -> int:
    """Delete inbox rows older than ``keep``, ``batch_size`` per transaction; the count."""
    total = 0
    while True:
        async with engine.begin() as conn:
            result = await conn.execute(_DELETE, {"keep": keep, "limit": batch_size})
        deleted = int(result.rowcount or 0)
        ROWS_DELETED.inc(deleted)
        total += deleted
        if deleted < batch_size:
            return total


async def run_inbox_retention(
    engine: AsyncEngine, retention: InboxRetention, stop: asyncio.Event
) -> None:
    """Sweep every ``interval_seconds`` until ``stop`` (the job ``inbox:retention``); a sweep
    that fails backs off and the job goes on."""

    async def sweep() -> None:
        deleted = await delete_expired_inbox(engine, retention.keep, retention.batch_size)
        if deleted:
            log.info("inbox_rows_deleted", rows=deleted)

    backoff = Backoff(retention.backoff_seconds, retention.backoff_max_seconds)
    await run_every("inbox:retention", sweep, retention.interval_seconds, stop, backoff=backoff)

"""Housekeeping in the relay process: delete expired published rows, refresh the gauges.

Retention counts from an event's creation (``created_at``, a BRIN index) and never deletes a
row that is pending or parked. Deleting in small batches keeps each transaction short;
``SKIP LOCKED`` lets several relays run the loop at once without waiting on each other. With
the table's aggressive autovacuum (revision 0002) the table stays bounded by
``rate * retention``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.jobs import run_every
from outbox import metrics
from outbox.inspect import read_gauges
from outbox.options import RelayOptions
from outbox.republish import REQUEUE_LOCK

log = structlog.get_logger("orderflow.outbox.retention")

_DELETE = text(
    """
    DELETE FROM outbox.events WHERE id IN (
        SELECT e.id FROM outbox.events AS e
        WHERE e.created_at < now() - CAST(:keep AS interval)
          AND NOT EXISTS (SELECT FROM outbox.pending AS p WHERE p.lane = e.lane AND p.id = e.id)
          AND NOT EXISTS (SELECT FROM outbox.parked AS k WHERE k.id = e.id)
        LIMIT :limit
        FOR UPDATE OF e SKIP LOCKED
    )
    """
)


async def delete_expired(engine: AsyncEngine, keep: timedelta, batch_size: int) -> int:
    """Delete published rows created more than ``keep`` ago, ``batch_size`` per transaction."""
    total = 0
    while True:
        async with engine.begin() as conn:
            await conn.execute(REQUEUE_LOCK)
            result = await conn.execute(_DELETE, {"keep": keep, "limit": batch_size})
        deleted = int(result.rowcount or 0)
        total += deleted
        if deleted < batch_size:
            return total


async def refresh_gauges(engine: AsyncEngine) -> None:
    """Depth, oldest pending age and parked rows, from the database."""
    async with engine.connect() as conn:
        gauges = await read_gauges(conn)
    metrics.DEPTH.set(gauges.depth)
    metrics.OLDEST_AGE.set(gauges.oldest_age_seconds)
    metrics.PARKED_ROWS.set(gauges.parked)


async def run_housekeeping(engine: AsyncEngine, options: RelayOptions, stop: asyncio.Event) -> None:
    """Refresh the gauges and delete expired rows until ``stop``: two jobs (``outbox:gauges``,
    ``outbox:retention``), each backing off after any failure and going on."""

    async def delete() -> None:
        deleted = await delete_expired(engine, options.retention, options.cleanup_batch_size)
        if deleted:
            log.info("outbox_rows_deleted", rows=deleted)

    await asyncio.gather(
        run_every(
            "outbox:gauges", lambda: refresh_gauges(engine), options.gauge_interval_seconds, stop
        ),
        run_every("outbox:retention", delete, options.cleanup_interval_seconds, stop),
    )

"""Inbox rows older than the retention window are swept in batches, without blocking writers,
and a sweep that fails (the database away) backs off and carries on."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from consumers.runtime.retention import InboxRetention, delete_expired_inbox, run_inbox_retention
from foundation.database import create_engine
from tests.private_pair import PrivatePostgres
from tests.support.polling import eventually

KEEP = timedelta(days=14)


async def _insert(
    engine: AsyncEngine, consumer: str, count: int, age: timedelta
) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO messaging.inbox (consumer, event_id, processed_at) "
                "SELECT :c, unnest(CAST(:ids AS uuid[])), now() - CAST(:age AS interval)"
            ),
            {"c": consumer, "ids": ids, "age": age},
        )
    return ids


async def _left(engine: AsyncEngine, consumer: str) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM messaging.inbox WHERE consumer = :c"), {"c": consumer}
        )
    return int(count or 0)


def _deleted_total() -> float:
    return REGISTRY.get_sample_value("orderflow_inbox_rows_deleted_total") or 0


async def test_expired_rows_go_in_batches_and_a_locked_row_waits_for_the_next_sweep(
    engine: AsyncEngine, unique: str
) -> None:
    consumer = f"test-retention-{unique}"
    old = await _insert(engine, consumer, 12, timedelta(days=20))
    await _insert(engine, consumer, 5, timedelta(days=13))  # inside the window: kept
    before = _deleted_total()

    async with engine.connect() as writer, writer.begin():
        await writer.execute(  # a consumer holds one old row (as an ON CONFLICT insert would)
            text("SELECT 1 FROM messaging.inbox WHERE consumer = :c AND event_id = :e FOR UPDATE"),
            {"c": consumer, "e": old[0]},
        )
        deleted = await asyncio.wait_for(delete_expired_inbox(engine, KEEP, batch_size=5), 10)
        assert await _left(engine, consumer) == 6  # the held row and the five recent ones

    assert deleted >= 11
    assert _deleted_total() - before == deleted
    await delete_expired_inbox(engine, KEEP, batch_size=5)
    assert await _left(engine, consumer) == 5


async def test_a_sweep_backs_off_while_the_database_is_down_and_carries_on(
    private_database: PrivatePostgres, unique: str
) -> None:
    engine = create_engine(private_database.url())
    consumer = f"test-retention-down-{unique}"
    await _insert(engine, consumer, 3, timedelta(days=30))
    await private_database.stop("fast")
    stop = asyncio.Event()
    pace = InboxRetention(
        keep=KEEP, interval_seconds=0.2, backoff_seconds=0.1, backoff_max_seconds=0.5
    )
    failures = _sweep_failures()
    sweeping = asyncio.create_task(run_inbox_retention(engine, pace, stop))
    try:
        await eventually(lambda: _failed_more_than(failures + 1), timeout=20, what="failing sweeps")
        assert not sweeping.done()
        await private_database.start()
        await eventually(lambda: _empty(engine, consumer), timeout=30, what="rows swept")
    finally:
        stop.set()
        await asyncio.wait_for(sweeping, 10)
        await engine.dispose()


def _sweep_failures() -> float:
    labels = {"job": "inbox:retention"}
    return REGISTRY.get_sample_value("orderflow_job_failures_total", labels) or 0


async def _failed_more_than(count: float) -> bool:
    return _sweep_failures() > count


async def _empty(engine: AsyncEngine, consumer: str) -> bool:
    try:
        return await _left(engine, consumer) == 0
    except Exception:  # still starting
        return False

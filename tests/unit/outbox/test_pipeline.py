"""The settle pipeline: keys stay busy until the broker answered (or a failure was reaped),
marks run in the background, at most ``concurrency`` at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka.errors import KafkaConnectionError

from events import KafkaRecord
from outbox.claim import ClaimedRow
from outbox.pipeline import SettlePipeline
from outbox.publish import SentBatch
from outbox.settle import TransientPublishError


class FakePool:
    """Connections whose ``execute`` records the statement and waits for ``release``."""

    def __init__(self) -> None:
        self.marked: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.running = 0
        self.most_at_once = 0

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakePool]:
        yield self

    async def execute(self, sql: str, *args: list[int]) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.release.wait()
            self.marked.append(list(args[1]))
        finally:
            self.running -= 1


def batch(row_id: int, key: str, outcome: BaseException | None = None) -> SentBatch:
    record = KafkaRecord(topic="t", key=key.encode(), value=b"v", headers=[])
    row = ClaimedRow(id=row_id, key=key, created_at=datetime.now(UTC), record=record)
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    if outcome is None:
        future.set_result(object())
    else:
        future.set_exception(outcome)
    return SentBatch(sent=[row], groups=[([row], future)])


async def until(condition: asyncio.Event) -> None:
    await asyncio.wait_for(condition.wait(), 5)


async def test_a_failed_batch_keeps_its_keys_busy_until_the_relay_reaps_it() -> None:
    pipeline = SettlePipeline(FakePool(), concurrency=2, suspects=set())

    pipeline.add(batch(1, "a", KafkaConnectionError()))
    await until(pipeline.trouble)

    assert pipeline.keys() == ["a"]  # a later row of "a" could overtake the failed one
    assert pipeline.ids() == [1]
    with pytest.raises(TransientPublishError):
        pipeline.raise_failures()
    assert pipeline.keys() == []
    assert len(pipeline) == 0


async def test_an_acknowledged_batch_frees_its_keys_before_its_mark() -> None:
    pool = FakePool()
    pool.release.clear()
    pipeline = SettlePipeline(pool, concurrency=2, suspects=set())

    pipeline.add(batch(1, "a"))
    await until(pipeline.progress)

    assert pipeline.keys() == []  # on the broker: nothing later can overtake it
    assert pipeline.ids() == [1]  # not marked yet: never claimed again
    assert pipeline.unacked() == 0
    pool.release.set()
    await pipeline.settle_all()
    assert pool.marked == [[1]]
    assert pipeline.ids() == []


async def test_marks_run_in_the_background_at_most_concurrency_at_once() -> None:
    pool = FakePool()
    pool.release.clear()
    pipeline = SettlePipeline(pool, concurrency=2, suspects=set())

    for i in range(5):
        pipeline.add(batch(i, f"k{i}"))
    await asyncio.sleep(0.05)
    assert pool.running == 2
    pool.release.set()
    await pipeline.settle_all()

    assert pool.most_at_once == 2
    assert sorted(ids for ids in pool.marked) == [[0], [1], [2], [3], [4]]

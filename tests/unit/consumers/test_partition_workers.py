"""Partition workers: a batch never mixes assignments, and a stop waits for a batch only so long."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka import TopicPartition

from consumers.runtime.workers import PartitionWorkers

TP = TopicPartition("orders.v1", 0)


class Handled:
    """Records each batch (generation, offsets); hangs on the offsets in ``hang_on``."""

    def __init__(self, hang_on: set[int] | None = None, expect: int = 0) -> None:
        self.batches: list[tuple[int, list[int]]] = []
        self.hang_on = hang_on or set()
        self.gate = asyncio.Event()
        self.expect = expect
        self.done = asyncio.Event()  # set once ``expect`` batches were handled

    async def __call__(self, tp: TopicPartition, records: Sequence[Any], generation: int) -> bool:
        offsets = [r.offset for r in records]
        if self.hang_on & set(offsets):
            await asyncio.Event().wait()
        await self.gate.wait()
        self.batches.append((generation, offsets))
        if len(self.batches) >= self.expect:
            self.done.set()
        return True


class Record:
    def __init__(self, offset: int) -> None:
        self.offset = offset


def polled(*offsets: int) -> list[Any]:
    return [Record(o) for o in offsets]


async def test_polls_of_two_assignments_never_join_one_batch() -> None:
    handled = Handled(expect=3)
    workers = PartitionWorkers(handled, room=100, max_batch=100)

    workers.submit(TP, polled(0, 1), generation=1)  # in flight, waiting at the gate
    await asyncio.sleep(0)
    workers.submit(TP, polled(2, 3), generation=1)
    workers.submit(TP, polled(2, 3, 4), generation=2)  # read again after a rebalance
    handled.gate.set()
    await asyncio.wait_for(handled.done.wait(), 5)

    assert handled.batches == [(1, [0, 1]), (1, [2, 3]), (2, [2, 3, 4])]


async def test_queued_polls_of_one_assignment_join_up_to_the_largest_batch() -> None:
    handled = Handled(expect=3)
    workers = PartitionWorkers(handled, room=100, max_batch=4)

    workers.submit(TP, polled(0), generation=1)
    await asyncio.sleep(0)
    workers.submit(TP, polled(1, 2), generation=1)
    workers.submit(TP, polled(3, 4), generation=2)
    workers.submit(TP, polled(5), generation=2)
    handled.gate.set()
    await asyncio.wait_for(handled.done.wait(), 5)

    assert handled.batches == [(1, [0]), (1, [1, 2]), (2, [3, 4, 5])]


async def test_a_drain_lets_the_batch_in_flight_end_and_drops_what_waits() -> None:
    handled = Handled()
    workers = PartitionWorkers(handled, room=100, max_batch=100)
    workers.submit(TP, polled(0, 1), generation=1)
    await asyncio.sleep(0)
    workers.submit(TP, polled(2, 3), generation=1)

    draining = asyncio.ensure_future(workers.drain())
    await asyncio.sleep(0.05)
    assert not draining.done()  # the batch in flight is waited for
    handled.gate.set()
    assert await asyncio.wait_for(draining, 5) == 0

    assert handled.batches == [(1, [0, 1])]  # what waited is read again from the commit


async def test_a_stop_cancels_a_batch_still_running_after_the_grace() -> None:
    handled = Handled(hang_on={0})
    workers = PartitionWorkers(handled, room=100, max_batch=100)
    workers.submit(TP, polled(0, 1), generation=1)
    await asyncio.sleep(0)

    cancelled = await asyncio.wait_for(workers.drain(grace=0.1), 5)

    assert cancelled == 1
    assert handled.batches == []

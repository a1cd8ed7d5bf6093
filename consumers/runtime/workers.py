"""One worker task per partition, so partitions run in parallel and polling never waits.

The poll loop hands each partition's records to its worker and polls again at once: while one
partition's batch waits for PostgreSQL, the others are decoded and handled, and a slow
partition (an SMTP timeout) never holds up the rest. Within a partition, batches run strictly
one after the other, in offset order.

Records that arrive while a batch is in flight wait in the partition's queue, and the worker
takes everything queued as its next batch: the busier the partition, the bigger (and the
cheaper per record) its transactions. Once a partition has ``room`` records waiting, the poll
loop stops asking for it (backpressure): aiokafka keeps what it prefetched for it and fetches
no more of it. It is not paused for that (only holds pause): pausing drops the prefetched data,
and the next fetch could then wait on the broker for the empty partitions only (measured: a
500 ms stall per pause under a backlog).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

Records = Sequence[ConsumerRecord[bytes, bytes]]
HandleBatch = Callable[[TopicPartition, Records, int], Awaitable[bool]]
"""Handles one batch of a generation; False when what waits behind it must not run (the
partition was put back to an earlier offset, or the batch did not end: its partitions are
being given up)."""


class PartitionWorkers:
    """The workers of the partitions currently assigned.

    ``room``: records that may wait behind a partition's batch in flight before the poll loop
    stops fetching that partition. ``max_batch``: the most records one batch takes at once.
    Every poll is queued with the assignment generation it belongs to; a batch only joins
    polls of one generation.
    """

    def __init__(self, handle: HandleBatch, *, room: int, max_batch: int) -> None:
        self._handle = handle
        self._room = room
        self._max_batch = max_batch
        self._pending: dict[TopicPartition, collections.deque[tuple[int, Records]]] = {}
        self._waiting: collections.Counter[TopicPartition] = collections.Counter()
        self._tasks: dict[TopicPartition, asyncio.Task[None]] = {}
        self._took = asyncio.Event()
        self.takes = 0
        """How many times a worker took records from its queue (or a queue was dropped)."""

    def submit(self, tp: TopicPartition, records: Records, generation: int) -> None:
        """Queue ``records`` behind the batch in flight on ``tp``; start the worker if idle."""
        self._pending.setdefault(tp, collections.deque()).append((generation, records))
        self._waiting[tp] += len(records)
        task = self._tasks.get(tp)
        if task is None or task.done():
            self._tasks[tp] = asyncio.create_task(self._work(tp), name=f"partition:{tp}")

    def with_room(self, assigned: set[TopicPartition]) -> list[TopicPartition]:
        """The partitions of ``assigned`` that may be polled: fewer than ``room`` waiting."""
        return [tp for tp in assigned if self._waiting[tp] < self._room]

    async def wait_for_take(self, since: int, timeout: float) -> None:
        """Return once a worker took a batch after ``takes`` was ``since`` (or after
        ``timeout`` seconds): its partition has room again."""
        self._took.clear()
        if self.takes != since:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._took.wait(), timeout)

    def discard_pending(self, tp: TopicPartition) -> None:
        """Forget the batches waiting on ``tp`` (it was put back to an earlier offset)."""
        self._pending.pop(tp, None)
        self._waiting.pop(tp, None)
        self._taken()

    async def drain(self, grace: float | None = None) -> int:
        """Drop the batches waiting and let the ones in flight end; returns how many were
        cancelled because they were still running after ``grace`` seconds (None: no limit).

        Dropped and cancelled batches were not committed: whoever owns the partition next
        reads them again from the committed offset.
        """
        self._pending.clear()
        self._waiting.clear()
        self._taken()
        running = self._running()
        if running and grace is not None:
            await asyncio.wait(running, timeout=grace)
            late = self._running()
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            cancelled = len(late)
        else:
            cancelled = 0
        while running := self._running():  # (nothing can be queued meanwhile; in case it was)
            await asyncio.gather(*running, return_exceptions=True)
        self._tasks.clear()
        return cancelled

    def cancel(self) -> None:
        """Stop every worker now (the process is going down hard)."""
        for task in self._tasks.values():
            task.cancel()

    def failure(self) -> BaseException | None:
        """The error of a worker that died unexpectedly (it should never happen)."""
        for task in self._tasks.values():
            if task.done() and not task.cancelled() and task.exception():
                return task.exception()
        return None

    def _running(self) -> list[asyncio.Task[None]]:
        return [t for t in self._tasks.values() if not t.done()]

    async def _work(self, tp: TopicPartition) -> None:
        while taken := self._take(tp):
            generation, records = taken
            if not await self._handle(tp, records, generation):
                # Put back to an earlier offset, or given up: what waits here is not next.
                self.discard_pending(tp)

    def _take(self, tp: TopicPartition) -> tuple[int, Records] | None:
        """The next batch of ``tp``: the queued polls of one generation joined in order, up to
        ``max_batch``. A poll is never split: a batch is at least the oldest poll waiting."""
        queue = self._pending.get(tp)
        if not queue:
            return None
        generation, first = queue.popleft()
        records = list(first)
        while queue and queue[0][0] == generation:
            if len(records) + len(queue[0][1]) > self._max_batch:
                break
            records.extend(queue.popleft()[1])
        self._waiting[tp] -= len(records)
        if self._waiting[tp] <= 0:
            del self._waiting[tp]
        self._taken()
        return generation, records

    def _taken(self) -> None:
        self.takes += 1
        self._took.set()

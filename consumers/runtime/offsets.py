"""Offset commits, coalesced: workers record how far they got; one task commits for all.

A commit round trip costs as much as handling a batch on a busy broker; waiting for it in
each partition worker halved throughput. Offsets are still committed only after the batch's
transaction committed (that is when a worker records them), and aiokafka serializes commit
requests, so a newer offset is never overwritten by an older one. ``flush`` is awaited before
partitions are revoked and at shutdown, so what was handled is committed before anyone else
reads it.

Every offset carries the assignment generation of the batch that reached it, and only offsets
of the current generation are committed: after a rebalance the partition starts again from
its committed offset, and an offset from before it may lie past records the new assignment
has not handled. A commit that failed is not retried: the next one covers it, or the next
owner re-reads from the last commit (the inbox turns the re-read into duplicates).
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from consumers.runtime.rebalance import Generations

log = structlog.get_logger("orderflow.consumers")


class OffsetCommitter:
    """Commits the latest handled offset of every partition, one request at a time."""

    def __init__(self, kafka: AIOKafkaConsumer, generations: Generations) -> None:
        self._kafka = kafka
        self._generations = generations
        self._pending: dict[TopicPartition, tuple[int, int]] = {}  # tp: (generation, offset)
        self._running: asyncio.Task[None] | None = None

    def record(self, tp: TopicPartition, offset: int, generation: int) -> None:
        """``offset`` is the next record to handle on ``tp`` in ``generation``; commit it soon."""
        if not self._generations.is_current(generation):
            return
        _, before = self._pending.get(tp, (generation, 0))
        self._pending[tp] = (generation, max(offset, before))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._commit_all(), name="offset-commits")

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every recorded offset was committed (or failed to, which is logged);
        False when that took longer than ``timeout`` seconds (the rest is not committed)."""
        try:
            async with asyncio.timeout(timeout):
                while self._running is not None and not self._running.done():
                    await asyncio.shield(self._running)
                if self._pending:
                    await self._commit_all()
        except TimeoutError:
            log.warning("commit_flush_timed_out", partitions=len(self._pending), timeout=timeout)
            return False
        return True

    def forget(self) -> None:
        """Drop what was not committed yet (its generation is over; the partitions re-read)."""
        self._pending.clear()

    async def _commit_all(self) -> None:
        while self._pending:
            pending, self._pending = self._pending, {}
            assigned = self._kafka.assignment()
            offsets = {
                tp: offset
                for tp, (generation, offset) in pending.items()
                if tp in assigned and self._generations.is_current(generation)
            }
            if not offsets:
                continue
            try:
                await self._kafka.commit(offsets)
            except KafkaError as error:
                # The partition moved away, or the broker hiccuped: whoever reads it next
                # starts from the last commit, and the inbox turns what we already applied
                # into duplicates; the next commit covers these offsets anyway.
                log.warning("commit_failed", partitions=len(offsets), error=repr(error))

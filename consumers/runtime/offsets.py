"""Offset commits, coalesced: workers record how far they got; one task commits for all.

A commit round trip costs as much as handling a batch on a busy broker; waiting for it in
each partition worker halved throughput. Offsets are still committed only after the batch's
transaction committed (that is when a worker records them), and aiokafka serializes commit
requests, so a newer offset is never overwritten by an older one. ``flush`` is awaited before
partitions are revoked and at shutdown, so what was handled is committed before anyone else
reads it.
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

log = structlog.get_logger("orderflow.consumers")


class OffsetCommitter:
    """Commits the latest handled offset of every partition, one request at a time."""

    def __init__(self, kafka: AIOKafkaConsumer) -> None:
        self._kafka = kafka
        self._pending: dict[TopicPartition, int] = {}
        self._running: asyncio.Task[None] | None = None

    def record(self, tp: TopicPartition, offset: int) -> None:
        """``offset`` is the next record to handle on ``tp``; commit it soon."""
        self._pending[tp] = max(offset, self._pending.get(tp, 0))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._commit_all(), name="offset-commits")

    async def flush(self) -> None:
        """Wait until every recorded offset was committed (or failed to, which is logged)."""
        while self._running is not None and not self._running.done():
            await asyncio.shield(self._running)
        if self._pending:
            await self._commit_all()

    def forget(self) -> None:
        """Drop what was not committed yet (the partitions moved away; they re-read)."""
        self._pending.clear()

    async def _commit_all(self) -> None:
        while self._pending:
            offsets, self._pending = self._pending, {}
            assigned = self._kafka.assignment()
            offsets = {tp: o for tp, o in offsets.items() if tp in assigned}
            if not offsets:
                continue
            try:
                await self._kafka.commit(offsets)
            except KafkaError as error:
                # The partition moved away, or the broker hiccuped: whoever reads it next
                # starts from the last commit, and the inbox turns what we already applied
                # into duplicates; the next commit covers these offsets anyway.
                log.warning("commit_failed", partitions=len(offsets), error=repr(error))

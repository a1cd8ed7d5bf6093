"""The relay's sent-but-unmarked batches: waiting for their turn, then being marked.

Marking (one ``UPDATE`` per batch) costs PostgreSQL about as much as claiming and sending the
next batch costs the relay, so up to ``concurrency`` batches are marked at once, each in its
own short transaction, while the next batch is claimed and sent. The order of the marks does
not matter: a row is marked only once the broker acknowledged it, and a crash before its mark
re-sends it (a duplicate, never a gap).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib

from sqlalchemy.ext.asyncio import AsyncEngine

from outbox.publish import SentBatch
from outbox.settle import abandon, settle_batch


class SettlePipeline:
    """Batches sent to the broker and not yet recorded as published."""

    def __init__(self, engine: AsyncEngine, concurrency: int, suspects: set[int]) -> None:
        """Mark at most ``concurrency`` batches at once; ``suspects`` as for ``settle_batch``."""
        self._engine = engine
        self._concurrency = max(1, concurrency)
        self._suspects = suspects
        self.waiting: collections.deque[SentBatch] = collections.deque()
        self._settling: collections.deque[tuple[SentBatch, asyncio.Task[None]]] = (
            collections.deque()
        )

    def __len__(self) -> int:
        """Batches sent and not yet marked (waiting or being marked)."""
        return len(self.waiting) + len(self._settling)

    def ids(self) -> list[int]:
        """Rows of every batch not yet marked: the next claim must not take them again."""
        batches = [*self.waiting, *(batch for batch, _ in self._settling)]
        return [i for batch in batches for i in batch.ids]

    def keys(self) -> list[str]:
        """Keys of every batch not yet marked: a later row of such a key must not overtake it
        (if its batch failed after a later batch succeeded, the key would be reordered)."""
        batches = [*self.waiting, *(batch for batch, _ in self._settling)]
        return sorted({key for batch in batches for key in batch.keys})

    async def settle_oldest(self) -> None:
        """Start marking the oldest waiting batch, once a marking slot is free."""
        batch = self.waiting.popleft()
        while len(self._settling) >= self._concurrency:
            await self._finish_oldest()
        task = asyncio.create_task(settle_batch(self._engine, batch, suspects=self._suspects))
        self._settling.append((batch, task))

    async def settled(self) -> None:
        """Wait for every batch being marked; raises what a settlement raised."""
        while self._settling:
            await self._finish_oldest()

    async def settle_all(self) -> None:
        """Mark everything sent, oldest first."""
        await self.settled()
        while self.waiting:
            await settle_batch(self._engine, self.waiting.popleft(), suspects=self._suspects)

    async def abandon(self, errors: tuple[type[BaseException], ...]) -> None:
        """After an error: record what was acknowledged, forget the rest (sent again later)."""
        while self._settling:
            _, task = self._settling.popleft()
            with contextlib.suppress(*errors):
                await task
        await abandon(self._engine, self.waiting, self._suspects)

    async def _finish_oldest(self) -> None:
        _, task = self._settling[0]
        try:
            await task
        finally:
            self._settling.popleft()

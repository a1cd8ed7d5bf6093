"""The relay's batches between the send and the mark, each settling in a task of its own.

A batch's task waits for the broker's answers, then marks and parks in one statement
(:func:`outbox.settle.settle_batch`), at most ``concurrency`` marks at once. The relay loop
never waits for a mark: it claims and sends the next batch as soon as the pipeline has room,
and a lone commit is claimed while the previous batch is still being marked. The order of
the marks does not matter: a row is marked only once the broker acknowledged it, and a crash
before its mark re-sends it (a duplicate, never a gap).

A batch stays in the pipeline until its task is reaped by the relay loop, which re-raises a
failed settlement (:meth:`SettlePipeline.raise_failures`) before anything else is claimed: a
failed batch's keys stay busy until then, so no later row of them can overtake it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import Any

from outbox.publish import SentBatch
from outbox.settle import ABANDON_TIMEOUT_SECONDS, settle_batch
from outbox.vacuum import DeadRows


class SettlePipeline:
    """Batches sent to the broker and not yet reaped."""

    def __init__(
        self, pool: Any, concurrency: int, suspects: set[int], dead: DeadRows | None = None
    ) -> None:
        """Mark on ``pool`` (asyncpg), at most ``concurrency`` batches at once; ``suspects`` as
        for :func:`settle_batch`; ``dead`` counts the rows marked, for the vacuum."""
        self.pool = pool
        self._dead = dead
        self._marking = asyncio.Semaphore(max(1, concurrency))
        self._suspects = suspects
        self._batches: collections.deque[tuple[SentBatch, asyncio.Task[None]]] = collections.deque()
        # Set when a batch is acknowledged or its task ends: busy keys or room freed up.
        self.progress = asyncio.Event()
        # Set when a task failed: the relay loop must reap it at once.
        self.trouble = asyncio.Event()

    def __len__(self) -> int:
        """Batches sent and not yet reaped."""
        return len(self._batches)

    def unacked(self) -> int:
        """Batches still waiting for some answer of the broker."""
        return sum(not batch.acked for batch, _ in self._batches)

    def ids(self) -> list[int]:
        """Rows of every batch not yet reaped: the next claim must not take them again."""
        return [i for batch, _ in self._batches for i in batch.ids]

    def keys(self) -> list[str]:
        """Keys with rows not yet on the broker: a later row of such a key must not overtake
        them (if their batch failed after a later batch succeeded, the key would be
        reordered)."""
        return sorted({key for batch, _ in self._batches for key in batch.keys})

    def busy_lanes(self) -> set[int]:
        """The lanes of :meth:`keys`: a claim leaves rows of busy keys behind in them."""
        return {lane for batch, _ in self._batches for lane in batch.lanes}

    def add(self, batch: SentBatch) -> None:
        """Settle ``batch`` in a task of its own."""
        task = asyncio.create_task(
            settle_batch(
                self.pool,
                batch,
                suspects=self._suspects,
                marking=self._marking,
                on_answered=self.progress.set,
                on_marked=self._dead.add if self._dead is not None else None,
            )
        )
        task.add_done_callback(self._task_done)
        self._batches.append((batch, task))

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self.progress.set()
        if task.cancelled() or task.exception() is not None:
            self.trouble.set()

    def raise_failures(self) -> None:
        """Forget the settled batches; raise the first failure among them."""
        failure: BaseException | None = None
        kept: collections.deque[tuple[SentBatch, asyncio.Task[None]]] = collections.deque()
        for batch, task in self._batches:
            if not task.done():
                kept.append((batch, task))
            elif failure is None and not task.cancelled():
                failure = task.exception()
        self._batches = kept
        self.trouble.clear()
        if failure is not None:
            raise failure

    async def settle_all(self) -> None:
        """Wait until everything sent is settled; raises the first failure."""
        if self._batches:
            await asyncio.wait([task for _, task in self._batches])
        self.raise_failures()

    async def abandon(self, errors: tuple[type[BaseException], ...]) -> None:
        """After an error: let every batch record what the broker acknowledged, within a
        bound, and forget the rest (sent again later: a duplicate, never a gap)."""
        batches, self._batches = self._batches, collections.deque()
        for _, task in batches:
            with contextlib.suppress(*errors, TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), ABANDON_TIMEOUT_SECONDS)
            if not task.done():
                task.cancel()
        self.trouble.clear()

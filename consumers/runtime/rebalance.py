"""Rebalances: the batches in flight end and commit before the partitions move away.

Each assignment has a generation. Work (a batch, an offset to commit, a hold) belongs to the
generation it was polled in; once the partitions were revoked, work of an older generation may
no longer commit, seek or hold, whatever it finished: the next assignment starts from the
committed offsets, and a stale seek or commit there would skip records.

Records a poll returns belong to the assignment current when the poll returns (aiokafka
returns no records while a rebalance is in progress, and drops what it fetched for an
assignment that is gone), even when the poll began before the rebalance. So they are tagged
with the generation current when the poll returns; they are never dropped for having been
asked for earlier — dropping them would leave the consumer's position past them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition

from consumers.runtime import metrics

log = structlog.get_logger("orderflow.consumers")


class Generations:
    """The current assignment generation, and whether its partitions are being revoked."""

    def __init__(self) -> None:
        self.current = 0
        self.revoking = False

    def is_current(self, generation: int) -> bool:
        """Whether work of ``generation`` may still commit, seek and hold."""
        return generation == self.current


class FinishInFlight(ConsumerRebalanceListener):  # type: ignore[misc]
    """Ends the batches in flight and commits them before the partitions are revoked.

    aiokafka calls ``on_partitions_revoked`` from its coordinator task, concurrently with the
    poll loop and the partition workers, and waits for it before rejoining the group (and it
    calls it, with every partition, after this member was dropped from the group too: the
    commits then fail and the next owner re-reads, the inbox making duplicates of what was
    applied). ``finish`` ends the batches in flight and commits what is durable; ``forget``
    drops the holds and the offsets not committed. Only then does the generation move on.
    """

    def __init__(
        self,
        group: str,
        generations: Generations,
        finish: Callable[[], Awaitable[None]],
        forget: Callable[[], None],
    ) -> None:
        self._group = group
        self._generations = generations
        self._finish = finish
        self._forget = forget

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Finish the batches in flight (they commit), then start a new generation."""
        started = time.monotonic()
        self._generations.revoking = True
        try:
            await self._finish()
        finally:
            self._forget()
            self._generations.current += 1
            self._generations.revoking = False
        seconds = time.monotonic() - started
        if revoked:
            metrics.REVOCATIONS.labels(self._group).inc()
            metrics.REVOCATION_SECONDS.labels(self._group).observe(seconds)
        log.info(
            "partitions_revoked",
            group=self._group,
            partitions=_names(revoked),
            generation=self._generations.current,
            seconds=round(seconds, 3),
        )

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """New partitions start from their committed offsets, unpaused."""
        log.info(
            "partitions_assigned",
            group=self._group,
            partitions=_names(assigned),
            generation=self._generations.current,
        )


def _names(tps: set[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}[{tp.partition}]" for tp in tps)

"""Rebalances: let the batches in flight finish and commit before partitions move away."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition

log = structlog.get_logger("orderflow.consumers")


class FinishInFlight(ConsumerRebalanceListener):  # type: ignore[misc]
    """Waits for the batches in flight before the partitions are revoked.

    aiokafka calls ``on_partitions_revoked`` from its coordinator task, concurrently with the
    poll loop and the partition workers, and waits for it before rejoining the group. Each
    batch commits its own offsets, so once ``drain`` returns everything handled is committed
    and the next owner re-applies nothing. ``generation`` moves first, so the poll loop drops
    records it fetched before the rebalance instead of handing them to a worker.
    """

    def __init__(
        self,
        group: str,
        drain: Callable[[], Awaitable[None]],
        forget: Callable[[], None],
    ) -> None:
        self._group = group
        self._drain = drain
        self._forget = forget
        self.generation = 0

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Finish the batches in flight (they commit), drop the waiting ones and the holds."""
        self.generation += 1
        await self._drain()
        self._forget()
        log.info("partitions_revoked", group=self._group, partitions=_names(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """New partitions start from their committed offsets, unpaused."""
        self._forget()
        log.info("partitions_assigned", group=self._group, partitions=_names(assigned))


def _names(tps: set[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}[{tp.partition}]" for tp in tps)

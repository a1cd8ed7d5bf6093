"""Partitions put on hold until a moment: a retry record not yet due, or a stalled batch.

A held partition is paused in the Kafka consumer and its position set back to the first record
not handled, so ``getmany`` keeps returning the other partitions and keeps the member alive
(``max.poll.interval.ms`` only measures time between ``getmany`` calls). When the moment has
passed the partition is resumed and fetching restarts at that record.
"""

from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer, TopicPartition


class PartitionHolds:
    """Which partitions wait, and until when (monotonic seconds)."""

    def __init__(self) -> None:
        self._until: dict[TopicPartition, float] = {}

    def hold(self, kafka: AIOKafkaConsumer, tp: TopicPartition, offset: int, delay: float) -> None:
        """Refetch ``tp`` from ``offset`` once ``delay`` seconds have passed."""
        kafka.seek(tp, offset)
        kafka.pause(tp)
        self._until[tp] = time.monotonic() + max(0.0, delay)

    def release_due(self, kafka: AIOKafkaConsumer) -> None:
        """Resume every partition whose moment has come."""
        now = time.monotonic()
        due = [tp for tp, until in self._until.items() if until <= now]
        assigned = kafka.assignment()
        for tp in due:
            del self._until[tp]
            if tp in assigned:
                kafka.resume(tp)

    def seconds_to_next(self, ceiling: float) -> float:
        """How long ``getmany`` may wait before a held partition is due (at most ``ceiling``)."""
        if not self._until:
            return ceiling
        return max(0.0, min(ceiling, min(self._until.values()) - time.monotonic()))

    def forget(self) -> None:
        """Drop every hold: after a rebalance the new assignment starts unpaused, from the
        committed offsets, and a record still not due is simply held again."""
        self._until.clear()

    def is_held(self, tp: TopicPartition) -> bool:
        """Whether ``tp`` waits for its moment."""
        return tp in self._until

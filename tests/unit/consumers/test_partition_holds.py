"""A retry partition waits for its moment without blocking the poll loop (no broker needed)."""

from __future__ import annotations

import time

from aiokafka import TopicPartition

from consumers.runtime.pacing import PartitionHolds

TP = TopicPartition("notifications.retry.1", 0)


class FakeKafka:
    """Records what the holds ask of the consumer."""

    def __init__(self) -> None:
        self.positions: dict[TopicPartition, int] = {}
        self.paused_tps: set[TopicPartition] = set()

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def pause(self, tp: TopicPartition) -> None:
        self.paused_tps.add(tp)

    def resume(self, tp: TopicPartition) -> None:
        self.paused_tps.discard(tp)

    def assignment(self) -> set[TopicPartition]:
        return {TP}


def test_a_held_partition_is_put_back_paused_and_resumed_when_due() -> None:
    kafka, holds = FakeKafka(), PartitionHolds()

    holds.hold(kafka, TP, offset=7, delay=0.05)

    assert kafka.positions[TP] == 7  # the not-yet-due record is fetched again later
    assert TP in kafka.paused_tps
    assert 0 < holds.seconds_to_next(ceiling=0.5) <= 0.05  # the poll wakes up in time
    holds.release_due(kafka)
    assert TP in kafka.paused_tps
    time.sleep(0.06)
    holds.release_due(kafka)
    assert TP not in kafka.paused_tps
    assert not holds.is_held(TP)
    assert holds.seconds_to_next(ceiling=0.5) == 0.5


def test_a_rebalance_forgets_every_hold() -> None:
    kafka, holds = FakeKafka(), PartitionHolds()
    holds.hold(kafka, TP, offset=3, delay=600)

    holds.forget()

    assert not holds.is_held(TP)

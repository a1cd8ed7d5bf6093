"""The freshness probe measures how long the oldest record the group has not handled has
waited: a group behind on old records is stale, a caught-up (or idle) one is not."""

from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from consumers.recommendations import FreshnessProbe
from foundation.kafka import KafkaConnection
from producers import create_producer
from tests.integration.consumers.support import create_topic

MINUTES_AGO = 10


async def _publish_aged(kafka: KafkaConnection, topic: str, count: int) -> None:
    """``count`` records written (by their timestamp) ten minutes ago."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        stamp = int((time.time() - MINUTES_AGO * 60) * 1000)
        for n in range(count):
            await producer.send_and_wait(topic, b"{}", key=f"k{n}".encode(), timestamp_ms=stamp)
    finally:
        await producer.stop()


async def _commit(kafka: KafkaConnection, group: str, offsets: dict[TopicPartition, int]) -> None:
    # No auto-commit: on stop it would commit the position this client fetched on assignment
    # (the group's previous commit), over the one just made.
    client = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await client.start()
    try:
        client.assign(list(offsets))
        await client.commit(offsets)
    finally:
        await client.stop()


async def test_a_group_behind_on_old_records_is_measured_behind_and_caught_up_is_not(
    kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.recs.freshness.{unique}", partitions=1)
    quiet = await create_topic(kafka, f"test.recs.quiet.{unique}", partitions=2)
    group = f"test-recs-freshness-{unique}"
    await _publish_aged(kafka, topic, 3)
    probe = FreshnessProbe(kafka, group, [topic, quiet])
    await probe.start()
    try:
        never_read = await probe.measure()
        await _commit(kafka, group, {TopicPartition(topic, 0): 2})
        one_left = await probe.measure()
        await _commit(kafka, group, {TopicPartition(topic, 0): 3})
        caught_up = await probe.measure()
    finally:
        await probe.stop()

    assert never_read.lag == 3
    assert never_read.behind_seconds >= MINUTES_AGO * 60 - 5
    assert one_left.lag == 1
    assert one_left.behind_seconds >= MINUTES_AGO * 60 - 5
    assert (caught_up.lag, caught_up.behind_seconds) == (0, 0.0)

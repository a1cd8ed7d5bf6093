"""Small Kafka helpers for tests: read what landed on a topic, start a group at the end, run a
job until a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from consumers.runtime import Consumer
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics
from tests.support.polling import eventually


async def end_offsets(connection: KafkaConnection, topic: str) -> dict[TopicPartition, int]:
    """The current end offset of every partition of ``topic``."""
    consumer = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        return dict(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


async def read_from(
    connection: KafkaConnection,
    start: dict[TopicPartition, int],
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    timeout: float = 20.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read the partitions of ``start`` from those offsets until ``until(records)`` holds."""
    consumer = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout
        while not until(records):
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(records)} records arrived in {timeout} s")
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def run_until(
    job: Callable[[asyncio.Event], Awaitable[None]],
    condition: Callable[[], Awaitable[bool]],
    timeout: float = 30.0,
) -> None:
    """Run ``job`` until ``condition()`` holds, then stop it cleanly; fail on timeout."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(job(stop))

    async def holds() -> bool:
        if task.done():
            task.result()
            raise AssertionError("the job ended before the condition held")
        return await condition()

    try:
        await eventually(holds, timeout)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def start_at_end(kafka: KafkaConnection, consumer: Consumer) -> None:
    """Commit ``consumer``'s group at the end of its topics: it reads only what comes next."""
    await ensure_topics(kafka, [TopicSpec(t) for t in consumer.topics])
    ends: dict[TopicPartition, int] = {}
    for topic in consumer.topics:
        ends.update(await end_offsets(kafka, topic))
    # No auto-commit: on stop it would commit the position it fetched on assignment, which
    # may be later than ``ends`` (records written meanwhile) or the group's older commit.
    client = AIOKafkaConsumer(
        **kafka.client_options(), group_id=consumer.name, enable_auto_commit=False
    )
    await client.start()
    try:
        client.assign(list(ends))
        await client.commit(ends)
    finally:
        await client.stop()


async def caught_up(kafka: KafkaConnection, group: str, topics: list[str]) -> bool:
    """Whether ``group`` committed every partition of ``topics`` up to its end (an empty
    partition counts as read: a consumer commits nothing for a partition it got no record of)."""
    ends: dict[TopicPartition, int] = {}
    for topic in topics:
        ends.update(await end_offsets(kafka, topic))
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return all(
        end == 0 or (tp in committed and committed[tp].offset >= end) for tp, end in ends.items()
    )

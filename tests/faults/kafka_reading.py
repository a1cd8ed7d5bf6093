"""Read back everything on the private broker: event topics and dead-letter topics."""

from __future__ import annotations

import asyncio
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from foundation.kafka import KafkaConnection
from tests.faults.evidence import Record
from tests.support.polling import eventually

RawRecord: TypeAlias = ConsumerRecord[bytes, bytes]


async def topic_names(connection: KafkaConnection) -> set[str]:
    """Every topic on the broker."""
    consumer = AIOKafkaConsumer(**connection.client_options())
    await consumer.start()
    try:
        return set(await consumer.topics())
    finally:
        await consumer.stop()


async def read_all(
    connection: KafkaConnection, topics: set[str], within: float = 60.0
) -> list[RawRecord]:
    """Every record of ``topics``, from the start up to their end offsets as of now."""
    consumer = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in sorted(topics)
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        return await _until_ends(consumer, ends, within)
    finally:
        await consumer.stop()


async def _until_ends(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], within: float
) -> list[RawRecord]:
    records: list[RawRecord] = []
    waiting = [tp for tp, end in ends.items() if end > 0]

    async def read_to_the_ends() -> bool:
        nonlocal waiting
        for part in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(part)
        positions = await asyncio.gather(*(consumer.position(tp) for tp in waiting))
        waiting = [tp for tp, at in zip(waiting, positions, strict=True) if at < ends[tp]]
        return not waiting

    if waiting:
        await eventually(read_to_the_ends, within, "every partition read to its end", every=0)
    return records


def as_record(raw: RawRecord) -> Record:
    """The decoded coordinates and envelope headers of a record."""
    headers = {name: value.decode(errors="replace") for name, value in raw.headers or ()}
    version = headers.get("aggregate_version", "")
    failure = None
    if "x-exception-type" in headers:
        failure = (
            f"{headers.get('x-exception-reason')}: {headers['x-exception-type']}: "
            f"{headers.get('x-exception-message', '')[:300]}"
        )
    return Record(
        topic=raw.topic,
        partition=raw.partition,
        offset=raw.offset,
        key=(raw.key or b"").decode(errors="replace"),
        event_id=headers.get("ce_id"),
        event_type=headers.get("ce_type"),
        aggregate_version=int(version) if version.isdigit() else None,
        failure=failure,
    )

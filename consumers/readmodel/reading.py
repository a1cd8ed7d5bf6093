"""Reading topics from their beginning up to a given end, as a one-off job (not the runtime)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from foundation.kafka import KafkaConnection

Records = list[ConsumerRecord[bytes, bytes]]


async def open_reader(connection: KafkaConnection, group: str) -> AIOKafkaConsumer:
    """A started consumer of ``group`` that commits only when told (partitions assigned later)."""
    reader = AIOKafkaConsumer(
        **connection.client_options(),
        group_id=group,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_poll_records=1000,
    )
    try:
        await reader.start()
    except BaseException:
        await reader.stop()  # releases the client even when the broker was never reached
        raise
    return reader


async def assign_from_beginning(
    reader: AIOKafkaConsumer, topics: Iterable[str]
) -> list[TopicPartition]:
    """Assign every partition of ``topics`` and rewind them; missing topics are skipped."""
    await reader._client.force_metadata_update()  # partitions of topics not seen yet
    partitions = [
        TopicPartition(topic, partition)
        for topic in topics
        for partition in reader.partitions_for_topic(topic) or ()
    ]
    reader.assign(partitions)
    if partitions:
        await reader.seek_to_beginning(*partitions)
    return partitions


async def read_until(
    reader: AIOKafkaConsumer, ends: dict[TopicPartition, int]
) -> AsyncIterator[Records]:
    """Batches of records until every partition reached its offset in ``ends``."""
    while True:
        pending = [tp for tp, end in ends.items() if await reader.position(tp) < end]
        if not pending:
            return
        batches = await reader.getmany(*pending, timeout_ms=1000)
        records = [r for tp, part in batches.items() for r in part if r.offset < ends[tp]]
        if records:
            yield records

"""The idempotent producer and batched publishing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from events import KafkaRecord
from producers.connection import KafkaConnection


def create_producer(connection: KafkaConnection, *, linger_ms: int = 5) -> AIOKafkaProducer:
    """An idempotent producer with ``acks=all``: retries never duplicate or reorder a record.

    With idempotence on, aiokafka keeps one in-flight request per broker, so records of one
    partition are written in the order they were sent.
    """
    return AIOKafkaProducer(
        **connection.client_options(),
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=15_000,
    )


async def publish_records(
    producer: AIOKafkaProducer, records: Sequence[KafkaRecord]
) -> list[RecordMetadata | BaseException]:
    """Send ``records`` in order and wait for every acknowledgement.

    Returns one result per record: its metadata, or the exception the broker (or client)
    answered with, so the caller can mark the successes and treat each failure on its own.
    """
    futures = [
        await producer.send(r.topic, value=r.value, key=r.key, headers=r.headers) for r in records
    ]
    return list(await asyncio.gather(*futures, return_exceptions=True))

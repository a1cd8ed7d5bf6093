"""The idempotent producer and batched publishing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from events import KafkaRecord
from foundation.kafka import KafkaConnection

DEFAULT_MAX_REQUEST_BYTES = 1_048_576


def create_producer(
    connection: KafkaConnection,
    *,
    linger_ms: int = 5,
    max_request_size: int = DEFAULT_MAX_REQUEST_BYTES,
    request_timeout_ms: int = 15_000,
) -> AIOKafkaProducer:
    """An idempotent producer with ``acks=all``: retries never duplicate or reorder a record.

    aiokafka keeps one in-flight request per broker, and with idempotence on it retries a
    drained batch until the broker answers, so records of one partition are written in the
    order they were sent. A batch whose partition has no leader for ``request_timeout_ms``
    fails with a retriable error; callers retry it.

    Args:
        connection: bootstrap servers and credentials.
        linger_ms: how long a batch waits for more records (latency vs. throughput).
        max_request_size: records above this are refused by ``send()`` itself; keep it at or
            below the broker's ``message.max.bytes``.
        request_timeout_ms: produce request timeout, also how long a batch may wait for a
            partition leader.
    """
    return AIOKafkaProducer(
        **connection.client_options(),
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        max_request_size=max_request_size,
        request_timeout_ms=request_timeout_ms,
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

"""Synthetic dead letters on the real Kafka, shaped exactly like the runtime writes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.operations.conventions import dead_letter_topic, retry_topic
from events import KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas import OrderLine, OrderPlaced
from foundation.kafka import KafkaConnection
from producers import TopicSpec, create_producer, ensure_topics, publish_records
from tests.support.polling import eventually


@dataclass(frozen=True)
class Failed:
    """One dead letter to publish: its reason and how often it was replayed before."""

    reason: str = "retries_exhausted"
    replay_count: int | None = None
    key: str | None = None


def order_placed() -> tuple[uuid.UUID, KafkaRecord]:
    """A valid ``OrderPlaced`` record as the relay publishes it."""
    event = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=1, unit_price_minor=1250),),
        total_minor=1250,
        placed_at=datetime.now(UTC),
    )
    envelope = new_envelope(event, aggregate_version=1)
    return envelope.event_id, encode_record(envelope)


def dead_letter_of(record: KafkaRecord, group: str, failed: Failed, offset: int) -> KafkaRecord:
    """``record`` as the runtime dead-letters it for ``group``."""
    failure = {
        "x-original-topic": record.topic,
        "x-original-partition": "0",
        "x-original-offset": str(offset),
        "x-original-timestamp": str(int(datetime.now(UTC).timestamp() * 1000)),
        "x-original-consumer-group": group,
        "x-exception-type": "SMTPServerDisconnected",
        "x-exception-reason": failed.reason,
        "x-exception-message": "Connection unexpectedly closed",
        "x-exception-stacktrace": 'Traceback (most recent call last):\n  File "smtp.py"\n',
        "x-exception-attempts": "7",
        "x-exception-first-failure-at": datetime.now(UTC).isoformat(),
    }
    if failed.replay_count is not None:
        failure["x-replay-count"] = str(failed.replay_count)
    headers = [*record.headers, *((k, v.encode()) for k, v in failure.items())]
    key = failed.key.encode() if failed.key else record.key
    return KafkaRecord(dead_letter_topic(group), key, record.value, headers)


async def seed(
    kafka: KafkaConnection, group: str, *failures: Failed, partitions: int = 2
) -> list[uuid.UUID]:
    """Create ``<group>.dlq`` and ``<group>.retry.1`` and publish one dead letter per failure."""
    await ensure_topics(
        kafka,
        [TopicSpec(dead_letter_topic(group), partitions), TopicSpec(retry_topic(group, 1), 1)],
    )
    ids, records = [], []
    for n, failed in enumerate(failures):
        event_id, record = order_placed()
        ids.append(event_id)
        records.append(dead_letter_of(record, group, failed, n))
    await publish(kafka, records)
    return ids


async def in_inbox(
    sessions: async_sessionmaker[AsyncSession], group: str, ids: list[uuid.UUID]
) -> None:
    """Record ``ids`` in ``group``'s inbox, as its runtime would after handling them."""
    async with sessions.begin() as session:
        for inbox_id in ids:
            await session.execute(
                text("INSERT INTO messaging.inbox (consumer, event_id) VALUES (:c, :e)"),
                {"c": group, "e": inbox_id},
            )


async def publish(kafka: KafkaConnection, records: list[KafkaRecord]) -> None:
    """Publish ``records`` and fail loudly on any error."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        results = await publish_records(producer, records)
    finally:
        await producer.stop()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors


def order_placed_type() -> str:
    """The ``ce_type`` our synthetic dead letters carry (the current OrderPlaced version)."""
    _, record = order_placed()
    return dict(record.headers)["ce_type"].decode()


async def delete_topic(kafka: KafkaConnection, topic: str) -> None:
    """Delete ``topic`` as another deployment's teardown would, and wait until it is gone."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        await admin.delete_topics([topic])
        await eventually(
            lambda: _gone(admin, topic), timeout=15, what=f"{topic} deleted", every=0.05
        )
    finally:
        await admin.close()


async def _gone(admin: AIOKafkaAdminClient, topic: str) -> bool:
    return topic not in await admin.list_topics()

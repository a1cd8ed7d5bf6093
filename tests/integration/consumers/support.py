"""Helpers for consumer runtime tests: topics, events, a runtime running in a task."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications import Draft
from consumers.notifications.handlers import record_draft
from consumers.runtime import Consumer, ConsumerRuntime, MessageContext, RetryPolicy
from events import IntegrationEvent, KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas import OrderLine, OrderPlaced
from events.schemas.orders import OrderConfirmed
from foundation.kafka import KafkaConnection
from producers import TopicSpec, create_producer, ensure_topics, publish_records
from tests.kafka_helpers import end_offsets, read_from
from tests.support.polling import eventually

# Tiny tiers so a test walks through all of them in a couple of seconds.
FAST = RetryPolicy(
    tier_delays=(0.5, 0.5), quick_attempts=2, quick_backoff_seconds=0.01, stall_backoff_seconds=0.2
)


def order_placed(customer_id: uuid.UUID | None = None) -> tuple[uuid.UUID, KafkaRecord]:
    """A valid OrderPlaced record and its event id."""
    event = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=customer_id or uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=2, unit_price_minor=150),),
        total_minor=300,
        placed_at=datetime.now(UTC),
    )
    envelope = new_envelope(event, aggregate_version=1)
    return envelope.event_id, encode_record(envelope)


def order_event(event: IntegrationEvent, version: int = 2) -> tuple[uuid.UUID, KafkaRecord]:
    """Any order event as a record (key = order id) and its event id."""
    envelope = new_envelope(event, aggregate_version=version)
    return envelope.event_id, encode_record(envelope)


def placed_then_confirmed(customer_id: uuid.UUID) -> tuple[KafkaRecord, uuid.UUID, KafkaRecord]:
    """OrderPlaced and OrderConfirmed of one new order: (placed, confirmed id, confirmed)."""
    order_id = uuid.uuid4()
    placed = OrderPlaced(
        order_id=order_id,
        customer_id=customer_id,
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=2, unit_price_minor=150),),
        total_minor=300,
        placed_at=datetime.now(UTC),
    )
    _, placed_record = order_event(placed, version=1)
    confirmed_id, confirmed = order_event(
        OrderConfirmed(order_id=order_id, payment_reference="auth_1", total_minor=300)
    )
    return placed_record, confirmed_id, confirmed


async def record_test_email(event: OrderPlaced, ctx: MessageContext) -> None:
    """A handler with a database effect: one pending notification row per event."""
    draft = Draft(
        kind="test",
        customer_id=event.customer_id,
        subject=f"order {event.order_id}",
        body="test",
        order_id=event.order_id,
    )
    await record_draft(ctx, draft, f"customer-{event.customer_id}@customers.example")


async def create_topic(kafka: KafkaConnection, name: str, partitions: int = 1) -> str:
    """Create ``name`` (a fresh, unique topic)."""
    await ensure_topics(kafka, [TopicSpec(name, partitions=partitions)])
    return name


async def produce(kafka: KafkaConnection, topic: str, *records: KafkaRecord) -> None:
    """Publish ``records`` to ``topic`` and wait for the acks."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        results = await publish_records(
            producer, [KafkaRecord(topic, r.key, r.value, r.headers) for r in records]
        )
    finally:
        await producer.stop()
    assert not any(isinstance(r, BaseException) for r in results), results


async def read_all(
    kafka: KafkaConnection,
    topic: str,
    count: int,
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Wait until ``topic`` holds ``count`` records (from its beginning) and return them."""
    # The runtime creates the topic when it starts.
    ends = await eventually(lambda: end_offsets(kafka, topic), timeout, f"topic {topic} exists")
    start = dict.fromkeys(ends, 0)
    return await read_from(kafka, start, lambda rs: len(rs) >= count, timeout)


async def topic_size(kafka: KafkaConnection, topic: str) -> int:
    """Records ever written to ``topic``."""
    return sum((await end_offsets(kafka, topic)).values())


def headers_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    """The headers of ``record`` decoded (last value wins)."""
    return {k: bytes(v).decode() for k, v in record.headers or ()}


async def scalar(sessions: async_sessionmaker[AsyncSession], sql: str, **params: Any) -> Any:
    """One value from the test database."""
    async with sessions() as session:
        return await session.scalar(text(sql), params)


class RunningConsumer:
    """A ConsumerRuntime in a background task, with its own producer."""

    def __init__(
        self,
        consumer: Consumer,
        sessions: async_sessionmaker[AsyncSession],
        kafka: KafkaConnection,
        policy: RetryPolicy = FAST,
        *,
        request_timeout_ms: int = 15_000,
    ) -> None:
        self.consumer, self.sessions, self.kafka, self.policy = consumer, sessions, kafka, policy
        self.request_timeout_ms = request_timeout_ms  # how long a send waits for the broker
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> RunningConsumer:
        self.producer = create_producer(self.kafka, request_timeout_ms=self.request_timeout_ms)
        await self.producer.start()
        runtime = ConsumerRuntime(
            self.consumer, self.sessions, self.kafka, self.producer, policy=self.policy
        )
        self.task = asyncio.create_task(runtime.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        assert self.producer is not None
        try:
            if not self.task.done() or not self.task.cancelled():
                await asyncio.wait_for(self.task, 30)
        finally:
            await self.producer.stop()

    async def kill(self) -> None:
        """Cancel the runtime hard, in the middle of whatever it does (a crash)."""
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    def check(self) -> None:
        """Fail fast if the runtime died."""
        if self.task is not None and self.task.done() and not self.task.cancelled():
            self.task.result()


async def committed(kafka: KafkaConnection, group: str, topic: str, partition: int = 0) -> int:
    """The committed offset of ``group`` on one partition (0 when none)."""
    from aiokafka import AIOKafkaConsumer  # noqa: PLC0415

    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, partition)) or 0
    finally:
        await consumer.stop()


def handlers(mapping: Mapping[type, Any]) -> dict[type, Any]:
    """Typed copy of a handler mapping."""
    return dict(mapping)

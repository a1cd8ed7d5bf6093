"""The consumer applies each event once: duplicates, crashes before and after commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications.handlers import record_order_confirmation
from consumers.runtime import Consumer, ConsumerRuntime, MessageContext
from events import KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas import OrderLine, OrderPlaced
from producers import KafkaConnection, TopicSpec, create_producer, ensure_topics, publish_records
from tests.kafka_helpers import run_until


class SimulatedCrash(Exception):
    """Stands for the process dying in the middle of a handler."""


async def _topic_with(kafka: KafkaConnection, unique: str, *records: KafkaRecord) -> str:
    topic = f"test.orders.{unique}"
    await ensure_topics(kafka, [TopicSpec(topic, partitions=1)])
    producer = create_producer(kafka)
    await producer.start()
    try:
        results = await publish_records(
            producer, [KafkaRecord(topic, r.key, r.value, r.headers) for r in records]
        )
    finally:
        await producer.stop()
    assert not any(isinstance(r, BaseException) for r in results)
    return topic


def _order_placed_record() -> tuple[uuid.UUID, KafkaRecord]:
    event = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=1, unit_price_minor=100),),
        total_minor=100,
        placed_at=datetime.now(UTC),
    )
    envelope = new_envelope(event, aggregate_version=1)
    return envelope.event_id, encode_record(envelope)


async def _count(sessions: async_sessionmaker[AsyncSession], sql: str, event_id: uuid.UUID) -> int:
    async with sessions() as session:
        return int(await session.scalar(text(sql), {"id": event_id}) or 0)


async def _notifications(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> int:
    return await _count(
        sessions, "SELECT count(*) FROM notifications.notifications WHERE event_id = :id", event_id
    )


async def _inbox(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> int:
    return await _count(sessions, "SELECT count(*) FROM messaging.inbox WHERE event_id = :id", event_id)


class Runner:
    """Runs consumers of one group on one topic, counting handler calls."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kafka: KafkaConnection,
        producer: AIOKafkaProducer,
        group: str,
        topic: str,
    ) -> None:
        self.sessions, self.kafka, self.producer = sessions, kafka, producer
        self.group, self.topic = group, topic
        self.calls = 0
        self.crash_next = False

    async def handler(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.calls += 1
        await record_order_confirmation(event, ctx)
        if self.crash_next:
            self.crash_next = False
            raise SimulatedCrash("the process died before the transaction committed")

    def runtime(self) -> ConsumerRuntime:
        consumer = Consumer(self.group, (self.topic,), {OrderPlaced: self.handler})
        return ConsumerRuntime(consumer, self.sessions, self.kafka, self.producer)


async def test_the_same_event_delivered_twice_is_applied_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    event_id, record = _order_placed_record()
    topic = await _topic_with(kafka, unique, record, record)
    producer = create_producer(kafka)
    await producer.start()
    runner = Runner(sessions, kafka, producer, f"notifications-{unique}", topic)
    try:
        await run_until(runner.runtime().run, lambda: _delivered(runner, 2))
    finally:
        await producer.stop()

    assert await _notifications(sessions, event_id) == 1
    assert await _inbox(sessions, event_id) == 1


async def _delivered(runner: Runner, handled: int) -> bool:
    # The second delivery never reaches the handler; the inbox stops it. Wait for the offset.
    return runner.calls >= 1 and await _committed(runner) >= handled


async def _committed(runner: Runner) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(**runner.kafka.client_options(), group_id=runner.group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(runner.topic, 0)) or 0
    finally:
        await consumer.stop()


async def test_a_crash_before_commit_redelivers_and_the_event_is_applied_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    event_id, record = _order_placed_record()
    topic = await _topic_with(kafka, unique, record)
    producer = create_producer(kafka)
    await producer.start()
    runner = Runner(sessions, kafka, producer, f"notifications-{unique}", topic)
    runner.crash_next = True
    try:
        crashed = False
        try:
            await run_until(runner.runtime().run, lambda: _delivered(runner, 1), timeout=15)
        except SimulatedCrash:
            crashed = True
        assert crashed
        assert await _notifications(sessions, event_id) == 0
        await run_until(runner.runtime().run, lambda: _delivered(runner, 1))
    finally:
        await producer.stop()

    assert runner.calls == 2
    assert await _notifications(sessions, event_id) == 1


async def test_after_commit_a_restarted_consumer_does_not_reapply(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    event_id, record = _order_placed_record()
    topic = await _topic_with(kafka, unique, record)
    producer = create_producer(kafka)
    await producer.start()
    runner = Runner(sessions, kafka, producer, f"notifications-{unique}", topic)
    try:
        await run_until(runner.runtime().run, lambda: _delivered(runner, 1))
        # A second event behind the first: once it is handled, the restart has read the topic.
        later_id, later = _order_placed_record()
        await _topic_with(kafka, unique, later)
        await run_until(runner.runtime().run, lambda: _delivered(runner, 2))
    finally:
        await producer.stop()

    assert runner.calls == 2
    assert await _notifications(sessions, event_id) == 1
    assert await _notifications(sessions, later_id) == 1

"""OrderPlaced v1 records already on Kafka reach a handler as the v2 model."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, ConsumerRuntime, MessageContext
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from producers import TopicSpec, create_producer, ensure_topics, publish_records
from tests.kafka_helpers import run_until
from tests.unit.events.factories import order_placed, order_placed_v1, record_of


async def _publish(kafka: KafkaConnection, topic: str, *records: KafkaRecord) -> None:
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


async def test_a_v1_record_on_the_topic_is_consumed_as_v2(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    old, new = order_placed_v1(), order_placed(channel="app")
    topic = f"test.events.evolution.{unique}"
    await _publish(kafka, topic, record_of(old), record_of(new))
    received: list[tuple[OrderPlaced, int]] = []

    async def handle(event: OrderPlaced, ctx: MessageContext) -> None:
        received.append((event, ctx.envelope.version))

    consumer = Consumer(f"test-evolution-{unique}", (topic,), {OrderPlaced: handle})
    producer = create_producer(kafka)
    await producer.start()
    try:
        runtime = ConsumerRuntime(consumer, sessions, kafka, producer)

        async def both_arrived() -> bool:
            return len(received) >= 2

        await run_until(runtime.run, both_arrived, timeout=90)
    finally:
        await producer.stop()

    (first, first_wire), (second, second_wire) = received
    assert [type(event) for event, _ in received] == [OrderPlaced, OrderPlaced]
    assert (first.order_id, first.channel, first_wire) == (old.order_id, None, 1)
    assert (second, second_wire) == (new, 2)

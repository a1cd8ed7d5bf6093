"""The recommendations group on the real runtime: duplicated, reversed and replayed order
events leave each order counted exactly once (or taken back exactly once)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.recommendations import recommendations_consumer
from events import KafkaRecord
from events.codec import encode_record
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import RunningConsumer, create_topic, produce
from tests.integration.recommendations.support import expected_pairs, pairs_of, purchase
from tests.kafka_helpers import caught_up
from tests.support.polling import eventually

Sessions = async_sessionmaker[AsyncSession]


async def test_reversed_duplicated_and_replayed_events_count_each_order_once(
    sessions: Sessions, kafka: KafkaConnection, unique: str
) -> None:
    mug, plate, bowl = (f"{x}-{unique}" for x in ("MUG", "PLATE", "BOWL"))
    purchases = [
        purchase(mug, plate),
        purchase(mug, plate, bowl),
        purchase(mug, bowl, fate="refunded"),
        purchase(plate, bowl, fate="cancelled_paid"),
    ]
    records = [encode_record(envelope) for p in purchases for _, envelope in reversed(p.events())]
    topic = await create_topic(kafka, f"test.recs.orders.{unique}", partitions=2)
    group = f"test-recs-{unique}"
    consumer = replace(recommendations_consumer(group=group), topics=(topic,))

    async def read_all() -> bool:
        return await caught_up(kafka, group, [topic])

    await produce(kafka, topic, *_twice(records))
    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(read_all, 90, "every record handled")
        async with sessions() as session:
            counted = await pairs_of(session, {mug, plate, bowl})
        await produce(kafka, topic, *records)  # a replay: the same events again
        await eventually(read_all, 90, "the replay handled")
        async with sessions() as session:
            replayed = await pairs_of(session, {mug, plate, bowl})

    assert counted == expected_pairs(purchases) == {
        (mug, plate): 2, (plate, mug): 2, (mug, bowl): 1, (bowl, mug): 1,
        (plate, bowl): 1, (bowl, plate): 1,
    }  # fmt: skip
    assert replayed == counted


def _twice(records: list[KafkaRecord]) -> list[KafkaRecord]:
    return [record for record in records for _ in range(2)]

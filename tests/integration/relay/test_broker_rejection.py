"""A record only the *broker* refuses (above the topic's ``max.message.bytes``, below the
relay's own limit) arrives inside a record batch of several rows: the relay sends that batch's
rows alone, parks only the refused one and publishes the rest, each key in order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics
from tests.integration.relay.kafka_checks import read_distinct, versions_by_key
from tests.integration.relay.outbox_rows import (
    Workload,
    delete_key,
    insert_round,
    insert_rows,
    outbox_row,
    states_of,
)
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually

TOPIC_LIMIT = 4_000


async def test_a_record_the_broker_refuses_is_parked_alone(
    engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    work = Workload(f"test.relay.refused.{unique}", aggregates=10, per_aggregate=3)
    await ensure_topics(
        kafka,
        [TopicSpec(work.topic, partitions=1, configs={"max.message.bytes": str(TOPIC_LIMIT)})],
    )
    odd = f"odd-{unique}"
    # One transaction, one partition: the refused row shares its record batch with others.
    await insert_rows(
        engine,
        [
            outbox_row(work.topic, odd, 1, b"x" * 100),
            outbox_row(work.topic, odd, 2, b"x" * (4 * TOPIC_LIMIT)),
            outbox_row(work.topic, odd, 3, b"x" * 100),
        ],
    )
    for version in range(1, work.per_aggregate + 1):
        await insert_round(engine, work, version)

    async def only_odd_key_left() -> bool:
        return await _pending_keys(engine, work.topic) == {odd}

    try:
        async with relay_running(engine, kafka):
            await eventually(only_odd_key_left, 60, "every other row published")
            records = await read_distinct(kafka, work.topic, work.total + 1)
        states = {version: state for version, (state, _) in (await states_of(engine, odd)).items()}
    finally:
        await delete_key(engine, odd)  # other tests count the parked rows of the whole table

    assert states[1] == "published"
    assert states[2].startswith("parked")
    assert states[3] == "pending"  # held behind the parked row
    versions = versions_by_key(records)
    assert versions.pop(odd) == [1]
    assert versions == {key: [1, 2, 3] for key in work.aggregate_ids()}


async def _pending_keys(engine: AsyncEngine, topic: str) -> set[str]:
    async with engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT key FROM outbox.pending WHERE topic = :t"
                " UNION SELECT key FROM outbox.parked WHERE topic = :t"
            ),
            {"t": topic},
        )
    return {row.key for row in result}

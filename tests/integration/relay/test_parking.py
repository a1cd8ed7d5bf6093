"""A record the broker can never accept is parked with its error; later rows of its key wait
behind it while every other key keeps flowing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox.inspect import outbox_status
from tests.integration.relay.kafka_checks import create_topic, read_distinct, versions_by_key
from tests.integration.relay.outbox_rows import (
    Workload,
    insert_round,
    insert_rows,
    outbox_row,
    pending,
    states_of,
)
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually

TOO_LARGE = 2 * 1024 * 1024


async def test_a_too_large_record_is_parked_and_holds_only_its_own_key(
    engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    work = Workload(f"test.relay.park.{unique}", aggregates=20, per_aggregate=5)
    big = f"big-{unique}"
    await create_topic(kafka, work.topic)
    sizes = {1: 100, 2: TOO_LARGE, 3: 100, 4: 100}
    await insert_rows(
        engine, [outbox_row(work.topic, big, v, b"x" * size) for v, size in sizes.items()]
    )
    for version in range(1, work.per_aggregate + 1):
        await insert_round(engine, work, version)

    async def only_big_key_left() -> bool:
        return await pending(engine, work.topic) == 3

    async with relay_running(engine, kafka):
        await eventually(only_big_key_left, 60, "every other row published")
        # Claims after the park: the held rows stay held while new rows of other keys flow.
        later = Workload(f"{work.topic}.later", aggregates=5, per_aggregate=1)
        await create_topic(kafka, later.topic)
        for _ in range(3):
            await insert_round(engine, later, 1)
            await eventually(lambda: _none_pending(engine, later.topic), 30, "later rows")
        records = await read_distinct(kafka, work.topic, work.total + 1)

    states = await states_of(engine, big)
    state, attempts = states[2]
    assert state.startswith("parked: MessageSizeTooLargeError")
    assert attempts == 1
    # Held, not parked: they flow once v2 is dealt with.
    assert [states[v][0] for v in (1, 3, 4)] == ["published", "pending", "pending"]

    versions = versions_by_key(records)
    assert versions.pop(big) == [1]
    assert versions == {key: [1, 2, 3, 4, 5] for key in work.aggregate_ids()}

    async with engine.connect() as conn:
        status = await outbox_status(conn)
    assert status["held_behind_parked"] == 2
    assert [p["key"] for p in status["parked_rows"]] == [big]  # type: ignore[attr-defined]


async def _none_pending(engine: AsyncEngine, topic: str) -> bool:
    return await pending(engine, topic) == 0

"""The relay rides out a broker outage: writes keep landing in the outbox, and everything is
delivered, in order, once the broker is back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.relay.kafka_checks import (
    create_topic,
    event_ids,
    out_of_order,
    read_distinct,
)
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.waiting import relay_running
from tests.private_pair import PrivateBroker
from tests.support.polling import eventually


async def test_everything_is_delivered_after_the_broker_restarts(
    engine: AsyncEngine, private_broker: PrivateBroker, unique: str
) -> None:
    kafka = private_broker.connection
    work = Workload(f"test.relay.restart.{unique}", aggregates=50, per_aggregate=20)
    half = work.per_aggregate // 2
    await create_topic(kafka, work.topic)

    async def left() -> int:
        return await pending(engine, work.topic)

    async with relay_running(engine, kafka, request_timeout_ms=5_000):
        for version in range(1, half + 1):
            await insert_round(engine, work, version)
        await eventually(lambda: _is(left, 0), 60, "the first half published")

        await private_broker.stop()
        for version in range(half + 1, work.per_aggregate + 1):
            await insert_round(engine, work, version)  # the outbox keeps accepting writes
        assert await left() == work.total - work.aggregates * half  # nothing marked while down

        await private_broker.start()
        await eventually(lambda: _is(left, 0), 120, "the second half published")

    records = await read_distinct(kafka, work.topic, work.total)
    assert len(event_ids(records)) == work.total
    assert out_of_order(records, work.per_aggregate) == {}


async def _is(count: object, expected: int) -> bool:
    return await count() == expected  # type: ignore[operator,no-any-return]

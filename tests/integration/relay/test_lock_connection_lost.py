"""When PostgreSQL drops the relay's lock connection (a restart, a failover), the relay
reconnects, takes its lanes back and keeps publishing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox import LANES
from outbox.inspect import lane_holders
from tests.integration.relay.kafka_checks import create_topic, event_ids, read_distinct
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually


async def test_the_relay_reconnects_and_takes_its_lanes_back(
    engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    work = Workload(f"test.relay.reconnect.{unique}", aggregates=20, per_aggregate=2)
    await create_topic(kafka, work.topic)

    async def holders() -> set[int]:
        async with engine.connect() as conn:
            return {h.backend_pid for h in await lane_holders(conn)}

    async def all_lanes_held_by_a_new_connection() -> bool:
        async with engine.connect() as conn:
            held = await lane_holders(conn)
        return len(held) == LANES and before.isdisjoint(h.backend_pid for h in held)

    async def published() -> bool:
        return await pending(engine, work.topic) == 0

    async with relay_running(engine, kafka):
        await eventually(lambda: _count_is(holders, 1), 30, "the relay holding its lanes")
        before = await holders()
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:p AS int[])) AS pid"),
                {"p": list(before)},
            )
        await insert_round(engine, work, 1)
        await insert_round(engine, work, 2)
        await eventually(all_lanes_held_by_a_new_connection, 30, "the lanes taken back")
        await eventually(published, 30, "rows written after the loss published")

    records = await read_distinct(kafka, work.topic, work.total)
    assert len(event_ids(records)) == work.total


async def _count_is(holders: Callable[[], Awaitable[set[int]]], expected: int) -> bool:
    return len(await holders()) == expected

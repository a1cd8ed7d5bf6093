"""The relay vacuums ``outbox.pending`` itself after a burst: autovacuum would come within a
minute, and until then every claim walks the dead rows."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox.vacuum import VACUUM_AFTER_ROWS
from tests.integration.relay.kafka_checks import create_topic
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually

_VACUUMS = text(
    "SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'outbox'"
    " AND relname = 'pending'"
)


async def _vacuums(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(_VACUUMS) or 0)


async def test_a_burst_of_published_rows_is_vacuumed_away_by_the_relay(
    engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    work = Workload(
        f"test.relay.vacuum.{unique}", aggregates=VACUUM_AFTER_ROWS // 4, per_aggregate=5
    )
    await create_topic(kafka, work.topic)
    before = await _vacuums(engine)
    for version in range(1, work.per_aggregate + 1):
        await insert_round(engine, work, version)

    async def vacuumed() -> bool:
        return await _vacuums(engine) > before

    async with relay_running(engine, kafka):
        await eventually(lambda: _drained(engine, work.topic), 60, "the burst published")
        await eventually(vacuumed, 30, "a vacuum of outbox.pending")


async def _drained(engine: AsyncEngine, topic: str) -> bool:
    return await pending(engine, topic) == 0

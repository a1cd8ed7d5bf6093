"""An operator unparks a row after fixing the cause: it is published in its place, and the
rows held behind it follow in order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from outbox import RelayOptions
from tests.integration.relay.kafka_checks import create_topic, read_distinct, versions_by_key
from tests.integration.relay.outbox_rows import insert_rows, outbox_row, states_of
from tests.integration.relay.test_retention_republish import outbox_cli
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually

STRICT = RelayOptions(max_record_bytes=5_000, lane_refresh_seconds=0.3)


async def test_an_unparked_row_is_published_before_the_rows_held_behind_it(
    settings: Settings, engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    topic, key = f"test.relay.unpark.{unique}", f"fix-{unique}"
    await create_topic(kafka, topic)
    sizes = {1: 100, 2: 10_000, 3: 100}
    await insert_rows(engine, [outbox_row(topic, key, v, b"x" * n) for v, n in sizes.items()])

    async def parked() -> bool:
        return (await states_of(engine, key))[2][0].startswith("parked")

    async with relay_running(engine, kafka, options=STRICT):  # the 10 KB row is too large
        await eventually(parked, 30, "version 2 parked")
    states = await states_of(engine, key)
    assert [states[v][0] for v in (1, 3)] == ["published", "pending"]  # 3 is held behind 2
    assert states[2][1] == 1  # parked once

    result = outbox_cli(settings, "unpark", "--id", str(await _id_of(engine, key, 2)))
    assert result.returncode == 0, result.stderr
    assert "re-queued 1 parked rows" in result.stdout

    async def published() -> bool:
        return {state for state, _ in (await states_of(engine, key)).values()} == {"published"}

    async with relay_running(engine, kafka):  # the limit raised: the fix
        await eventually(published, 30, "every version published")
    records = await read_distinct(kafka, topic, 3)
    assert versions_by_key(records) == {key: [1, 2, 3]}


async def _id_of(engine: AsyncEngine, key: str, version: int) -> int:
    async with engine.connect() as conn:
        row_id = await conn.scalar(
            text("SELECT id FROM outbox.events WHERE key = :k AND aggregate_version = :v"),
            {"k": key, "v": version},
        )
    return int(row_id)

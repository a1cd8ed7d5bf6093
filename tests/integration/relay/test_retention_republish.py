"""Published rows are deleted after the retention window; retained ones can be re-sent."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from outbox.retention import delete_expired
from tests.integration.relay.kafka_checks import create_topic, read_distinct, versions_by_key
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually
from tests.support.processes import ORDERFLOW


def outbox_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``orderflow outbox ARGS`` against the test database."""
    return subprocess.run(
        [str(ORDERFLOW), "outbox", *args],
        env={**os.environ, "ORDERFLOW_DATABASE_URL": settings.database.url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_expired_rows_are_deleted_and_retained_ones_republished_in_order(
    settings: Settings, engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    work = Workload(f"test.relay.retain.{unique}", aggregates=2, per_aggregate=3)
    old, kept = work.aggregate_ids()
    await create_topic(kafka, work.topic)
    for version in (1, 2, 3):
        await insert_round(engine, work, version)

    async def drained() -> bool:
        return await pending(engine, work.topic) == 0

    async with relay_running(engine, kafka):
        await eventually(drained, 30, "the first publication")
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE outbox.events SET created_at = now() - interval '2 days' WHERE key = :k"),
            {"k": old},
        )
    assert await delete_expired(engine, timedelta(hours=24), batch_size=2) == 3

    gone = outbox_cli(settings, "republish", "--aggregate", old)
    assert gone.returncode == 2
    assert gone.stderr.count("\n") == 1
    assert "no retained published events" in gone.stderr
    again = outbox_cli(settings, "republish", "--aggregate", kept)
    assert again.returncode == 0, again.stderr
    assert "re-queued 3 events" in again.stdout
    async with relay_running(engine, kafka):
        await eventually(drained, 30, "the republication")

    records = await read_distinct(kafka, work.topic, work.total)
    assert sum(r.key == kept.encode() for r in records) == 6  # each event twice, same ce_id
    assert versions_by_key(records) == {old: [1, 2, 3], kept: [1, 2, 3]}


def test_a_malformed_time_is_one_line_and_a_non_zero_exit(settings: Settings) -> None:
    result = outbox_cli(settings, "republish", "--since", "last tuesday")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: malformed time 'last tuesday' for --since")
    assert "Traceback" not in result.stderr

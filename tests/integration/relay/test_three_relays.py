"""Three relay processes share the lanes fairly and publish every event in version order."""

from __future__ import annotations

import json
import subprocess
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from outbox import LANES
from tests.integration.relay.kafka_checks import (
    create_topic,
    event_ids,
    out_of_order,
    read_distinct,
)
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.relay_processes import RelayProcess, StartRelays
from tests.integration.relay.waiting import lanes_shared_by
from tests.support.polling import eventually
from tests.support.processes import ORDERFLOW


async def test_three_relays_publish_10k_events_of_200_aggregates_in_version_order(
    settings: Settings,
    kafka: KafkaConnection,
    engine: AsyncEngine,
    relays: StartRelays,
    unique: str,
) -> None:
    work = Workload(f"test.relay.three.{unique}", aggregates=200, per_aggregate=50)
    await create_topic(kafka, work.topic)
    processes = relays(3)
    await eventually(lambda: lanes_shared_by(engine, processes), 60, "a fair lane split")

    started = time.monotonic()
    for version in range(1, work.per_aggregate + 1):
        await insert_round(engine, work, version)
    await eventually(lambda: _drained(engine, work.topic), 90, "every row published")
    elapsed = time.monotonic() - started

    records = await read_distinct(kafka, work.topic, work.total)
    assert len(event_ids(records)) == work.total
    assert out_of_order(records, work.per_aggregate) == {}
    assert all(p.alive() for p in processes), "a relay died during the run"
    assert elapsed < 60, f"10,000 rows took {elapsed:.1f} s"
    _assert_status_names_the_relays(settings, processes)


async def _drained(engine: AsyncEngine, topic: str) -> bool:
    return await pending(engine, topic) == 0


def _assert_status_names_the_relays(settings: Settings, processes: list[RelayProcess]) -> None:
    result = subprocess.run(
        [str(ORDERFLOW), "outbox", "status", "--json"],
        env={**processes[0].env, "ORDERFLOW_DATABASE_URL": settings.database.url},
        capture_output=True,
        check=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    owners = {lane["application_name"] for lane in report["lanes"]}
    assert len(report["lanes"]) == LANES
    assert all(any(f"pid={p.pid}" in name for name in owners) for p in processes)

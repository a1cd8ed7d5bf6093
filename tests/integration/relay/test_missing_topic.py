"""A topic the broker lacks holds back only its own rows: every other topic keeps flowing, and
its rows go out, in order, once it exists."""

from __future__ import annotations

from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox.options import RelayOptions
from tests.integration.relay.kafka_checks import create_topic, read_distinct, versions_by_key
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.waiting import relay_running
from tests.support.polling import eventually

VERSIONS = 3


async def test_a_missing_topic_waits_while_every_other_topic_flows(
    engine: AsyncEngine, kafka: KafkaConnection, unique: str
) -> None:
    # Same keys on both topics: an ordering key is (topic, key), and only the missing
    # topic's rows may wait.
    missing = Workload(f"test.relay.missing.{unique}", aggregates=10, per_aggregate=VERSIONS)
    present = Workload(f"test.relay.present.{unique}", aggregates=20, per_aggregate=VERSIONS)
    await create_topic(kafka, present.topic)
    # The missing topic's rows are the oldest of their lanes: a relay failing whole batches
    # for them would claim them again and again and never reach the others.
    for version in range(1, VERSIONS + 1):
        await insert_round(engine, missing, version)
    options = RelayOptions(lane_refresh_seconds=0.3, max_backoff_seconds=1.0)

    async with relay_running(engine, kafka, options):
        for version in range(1, VERSIONS + 1):
            await insert_round(engine, present, version)
        await eventually(lambda: _left(engine, present.topic, 0), 30, "the other topic's rows")
        assert await pending(engine, missing.topic) == missing.total
        assert _missing_counted(missing.topic) >= missing.total

        await create_topic(kafka, missing.topic)
        await eventually(lambda: _left(engine, missing.topic, 0), 30, "its rows once it exists")

    records = await read_distinct(kafka, missing.topic, missing.total)
    assert versions_by_key(records) == {
        key: list(range(1, VERSIONS + 1)) for key in missing.aggregate_ids()
    }
    records = await read_distinct(kafka, present.topic, present.total)
    assert versions_by_key(records) == {
        key: list(range(1, VERSIONS + 1)) for key in present.aggregate_ids()
    }


async def _left(engine: AsyncEngine, topic: str, rows: int) -> bool:
    return await pending(engine, topic) == rows


def _missing_counted(topic: str) -> float:
    return REGISTRY.get_sample_value("orderflow_outbox_topic_missing_total", {"topic": topic}) or 0

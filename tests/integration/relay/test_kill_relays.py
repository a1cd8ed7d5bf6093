"""Relays killed with SIGKILL in the middle of batches lose nothing and keep key order."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from tests.integration.relay.kafka_checks import (
    create_topic,
    event_ids,
    out_of_order,
    read_distinct,
)
from tests.integration.relay.outbox_rows import Workload, insert_round, pending
from tests.integration.relay.relay_processes import StartRelays
from tests.integration.relay.waiting import lanes_shared_by
from tests.support.polling import eventually

KILLS = 5


async def test_relays_killed_mid_batch_leave_no_gap_and_no_reordering(
    kafka: KafkaConnection, engine: AsyncEngine, relays: StartRelays, unique: str
) -> None:
    work = Workload(f"test.relay.kill.{unique}", aggregates=200, per_aggregate=40)
    await create_topic(kafka, work.topic)
    processes = relays(3)
    await eventually(lambda: lanes_shared_by(engine, processes), 60, "a fair lane split")

    async def write() -> None:
        for version in range(1, work.per_aggregate + 1):
            await insert_round(engine, work, version)
            await asyncio.sleep(0.1)

    writer = asyncio.create_task(write())
    backlog_at_kill = []
    for _ in range(KILLS):
        await asyncio.sleep(random.uniform(0.5, 1.2))
        victim = random.choice(processes)
        backlog_at_kill.append(await _backlog(engine, work.topic))
        victim.kill()
        victim.start()
    await writer
    await eventually(lambda: _all_published(engine, work.topic), 120, "every row published")

    records = await read_distinct(kafka, work.topic, work.total)
    assert len(event_ids(records)) == work.total
    assert out_of_order(records, work.per_aggregate) == {}
    assert sum(b > 0 for b in backlog_at_kill) >= 3, f"kills missed the work: {backlog_at_kill}"


async def _backlog(engine: AsyncEngine, topic: str, patience: float = 2.0) -> int:
    """Pending rows, waiting up to ``patience`` s for some: the relays drain each round of the
    writer in a few milliseconds, and a kill between rounds would find nothing to interrupt."""
    deadline = asyncio.get_running_loop().time() + patience
    while (backlog := await pending(engine, topic)) == 0:
        if asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.002)
    return backlog


async def _all_published(engine: AsyncEngine, topic: str) -> bool:
    return await pending(engine, topic) == 0

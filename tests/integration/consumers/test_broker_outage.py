"""A broker killed (-9) under a busy consumer loses nothing and applies nothing twice.

The broker of this test only is killed in the middle of the batches and stays away for 15 s,
then comes back while records keep arriving, and the group rebalances: a member joins and
leaves (as the members of a real deployment do after an outage; whether the broker itself drops
a member depends on how fast its heartbeats resume). Every record is applied exactly once, and
the group commits up to the end of every partition.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, RetryPolicy, dead_letter_topic
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from producers import create_producer
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
    topic_size,
)
from tests.private_pair import PrivateBroker
from tests.support.polling import eventually

PARTITIONS = 3
BEFORE = 600
OUTAGE_SECONDS = 15.0
POLICY = RetryPolicy(tier_delays=(0.5,), quick_attempts=2, batch_size=50)


@pytest.fixture
async def private_broker(tmp_path: Path) -> AsyncIterator[PrivateBroker]:
    """A broker of this test only, stopped at the end whatever happened."""
    broker = PrivateBroker(tmp_path / "broker")
    try:
        await broker.start()
        yield broker
    finally:
        await broker.stop()


@pytest.fixture(scope="module")
async def effects_table(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Applied effects, duplicates allowed (so they would show)."""
    async with sessions.begin() as session:
        await session.execute(
            text("CREATE TABLE IF NOT EXISTS public.outage_effects (grp text, event_id uuid)")
        )
    return "public.outage_effects"


class SlowEffect:
    """One row per record, a little slowly, so the kill lands in the middle of batches."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.calls = 0

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.calls += 1
        await ctx.session.execute(
            text("INSERT INTO public.outage_effects VALUES (:g, :e)"),
            {"g": self.group, "e": ctx.envelope.event_id},
        )
        await asyncio.sleep(0.02)


async def _keep_producing(kafka: KafkaConnection, topic: str, made: list[uuid.UUID]) -> None:
    """One record every 10 ms until cancelled; a send the broker refused is tried again."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        while True:
            event_id, record = order_placed()
            await producer.send_and_wait(
                topic, record.value, key=record.key, headers=record.headers
            )
            made.append(event_id)
            await asyncio.sleep(0.01)
    finally:
        await producer.stop()


@pytest.mark.timeout(300)  # ~70 s alone (a broker start, a 15 s outage); more on a busy machine
@pytest.mark.usefixtures("effects_table")
async def test_a_broker_killed_under_load_loses_nothing(
    sessions: async_sessionmaker[AsyncSession], private_broker: PrivateBroker, unique: str
) -> None:
    kafka = private_broker.connection
    topic = await create_topic(kafka, f"test.outage.{unique}", PARTITIONS)
    other = await create_topic(kafka, f"test.outage.other.{unique}")
    group = f"test-outage-{unique}"
    made = [order_placed() for _ in range(BEFORE)]
    await produce(kafka, topic, *(r for _, r in made))
    produced = [event_id for event_id, _ in made]
    effect = SlowEffect(group)
    consumer = Consumer(group, (topic,), {OrderPlaced: effect})

    async with RunningConsumer(consumer, sessions, kafka, POLICY, request_timeout_ms=5_000):
        await eventually(lambda: _started(effect), 60, "batches in flight")
        await private_broker.kill()
        await asyncio.sleep(OUTAGE_SECONDS)
        await private_broker.start()
        producing = asyncio.create_task(_keep_producing(kafka, topic, produced))
        try:
            await asyncio.sleep(1.0)
            await _join_and_leave(kafka, group, other)  # records arrive while it rebalances
            await asyncio.sleep(1.0)
        finally:
            producing.cancel()
            await asyncio.gather(producing, return_exceptions=True)
        await eventually(lambda: _all_committed(kafka, group, topic), 120, "all committed")

    revoked = REGISTRY.get_sample_value(
        "orderflow_consumer_partitions_revoked_total", {"group": group}
    )
    assert revoked, "the group did not rebalance: nothing was exercised"
    applied = await _effects(sessions, group)
    missing = set(produced) - set(applied)
    assert not missing, f"{len(missing)} of {len(produced)} records were never applied"
    assert set(applied.values()) == {1}
    assert await topic_size(kafka, dead_letter_topic(group)) == 0


async def _join_and_leave(kafka: KafkaConnection, group: str, topic: str) -> None:
    """A member of ``group`` reading only ``topic`` joins (a rebalance), then leaves (another)."""
    member = AIOKafkaConsumer(topic, **kafka.client_options(), group_id=group)
    await member.start()
    try:
        await eventually(lambda: _assigned(member), 60, "the second member joined")
        await asyncio.sleep(0.5)
    finally:
        await member.stop()


async def _assigned(member: AIOKafkaConsumer) -> bool:
    await member.getmany(timeout_ms=100)  # keeps it polling, as a real member does
    return bool(member.assignment())


async def _started(effect: SlowEffect) -> bool:
    return effect.calls >= 100


async def _all_committed(kafka: KafkaConnection, group: str, topic: str) -> bool:
    total = 0
    for partition in range(PARTITIONS):
        total += await committed(kafka, group, topic, partition)
    return total == await topic_size(kafka, topic)


async def _effects(sessions: async_sessionmaker[AsyncSession], group: str) -> dict[uuid.UUID, int]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT event_id, count(*) FROM public.outage_effects WHERE grp = :g GROUP BY 1"),
            {"g": group},
        )
        return {row[0]: row[1] for row in rows}

"""A consumer killed mid-batch, or a group rebalancing, loses nothing and applies nothing twice.

The effect is a row in a table WITHOUT a unique constraint, so only the inbox can prevent a
double effect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, RetryPolicy
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
)
from tests.support.polling import eventually

RECORDS = 300
PARTITIONS = 3
POLICY = RetryPolicy(tier_delays=(0.5,), quick_attempts=2, batch_size=50)


@pytest.fixture(scope="module")
async def effects_table(sessions: async_sessionmaker[AsyncSession]) -> str:
    """A table of applied effects, duplicates allowed (so they would show)."""
    async with sessions.begin() as session:
        await session.execute(
            text("CREATE TABLE IF NOT EXISTS public.test_effects (grp text, event_id uuid)")
        )
    return "public.test_effects"


class SlowEffect:
    """Writes one effect row per call, a little slowly so a kill lands mid-batch."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.calls = 0

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.calls += 1
        await ctx.session.execute(
            text("INSERT INTO public.test_effects VALUES (:g, :e)"),
            {"g": self.group, "e": ctx.envelope.event_id},
        )
        await asyncio.sleep(0.003)


async def _setup(kafka: KafkaConnection, unique: str) -> tuple[str, list[uuid.UUID]]:
    topic = await create_topic(kafka, f"test.crash.{unique}", partitions=PARTITIONS)
    made = [order_placed() for _ in range(RECORDS)]
    records: list[KafkaRecord] = [r for _, r in made]
    await produce(kafka, topic, *records)
    return topic, [event_id for event_id, _ in made]


async def _all_committed(kafka: KafkaConnection, group: str, topic: str) -> bool:
    done = [await committed(kafka, group, topic, p) for p in range(PARTITIONS)]
    return sum(done) >= RECORDS


async def _effects(sessions: async_sessionmaker[AsyncSession], group: str) -> dict[uuid.UUID, int]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT event_id, count(*) FROM public.test_effects WHERE grp = :g GROUP BY 1"),
            {"g": group},
        )
        return {row[0]: row[1] for row in rows}


@pytest.mark.usefixtures("effects_table")
async def test_a_consumer_killed_mid_batch_and_restarted_loses_nothing_and_applies_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic, event_ids = await _setup(kafka, unique)
    group = f"test-crash-{unique}"
    effect = SlowEffect(group)
    consumer = Consumer(group, (topic,), {OrderPlaced: effect})

    first = RunningConsumer(consumer, sessions, kafka, POLICY)
    await first.__aenter__()
    await eventually(_calls_above(effect, 120), what="some batches handled")
    await first.kill()  # hard: in the middle of a batch transaction
    await first.__aexit__()
    killed_after = effect.calls
    assert sum((await _effects(sessions, group)).values()) < RECORDS

    async with RunningConsumer(consumer, sessions, kafka, POLICY):
        await eventually(lambda: _all_committed(kafka, group, topic), what="all committed")

    applied = await _effects(sessions, group)
    assert set(applied) == set(event_ids)  # nothing lost
    assert set(applied.values()) == {1}  # nothing applied twice
    assert effect.calls > killed_after


@pytest.mark.usefixtures("effects_table")
async def test_a_rebalance_while_handling_loses_nothing_and_applies_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic, event_ids = await _setup(kafka, unique)
    group = f"test-rebalance-{unique}"
    effect = SlowEffect(group)
    consumer = Consumer(group, (topic,), {OrderPlaced: effect})

    async with RunningConsumer(consumer, sessions, kafka, POLICY):
        await eventually(_calls_above(effect, 60), what="first member busy")
        async with RunningConsumer(consumer, sessions, kafka, POLICY):  # joins: rebalance
            await eventually(_calls_above(effect, 200), what="both members busy")
        # the second member leaves: another rebalance
        await eventually(lambda: _all_committed(kafka, group, topic), what="all committed")

    applied = await _effects(sessions, group)
    assert set(applied) == set(event_ids)
    assert set(applied.values()) == {1}


def _calls_above(effect: SlowEffect, calls: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return effect.calls >= calls

    return check

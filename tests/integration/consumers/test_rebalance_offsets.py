"""A rebalance while records keep arriving skips nothing: every record is applied exactly once.

The group rebalances because a second member joins (it reads another topic, so this member
keeps its partition). The member's batch in flight is held while its partitions are revoked,
and records keep arriving, so the poll that was waiting when the rebalance began wakes up,
waits for the new assignment and returns the new assignment's first records. Those records
belong to the new assignment: dropping them without putting the position back skips them,
and the next batch commits past them.

The second test does the same while a retry tier's partition is held (paused, its position
set back to a record not yet due): the hold must not survive into the new assignment, and
the record it waits for must still be applied, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, RetryPolicy, TransientError, retry_topic
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
from tests.support.polling import eventually

POLICY = RetryPolicy(tier_delays=(0.5,), quick_attempts=2, batch_size=10)
FIRST = 40  # records before the rebalance; more arrive during it


@pytest.fixture(scope="module")
async def effects_table(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Applied effects, duplicates allowed (so they would show)."""
    async with sessions.begin() as session:
        await session.execute(
            text("CREATE TABLE IF NOT EXISTS public.rebalance_effects (grp text, event_id uuid)")
        )
    return "public.rebalance_effects"


class GatedEffect:
    """Writes one row per record; the first batch waits at the gate until it is opened."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.waiting.set()
        await self.gate.wait()
        await ctx.session.execute(
            text("INSERT INTO public.rebalance_effects VALUES (:g, :e)"),
            {"g": self.group, "e": ctx.envelope.event_id},
        )


class Revocations(logging.Handler):
    """Sets ``started`` when a member starts revoking partitions of ``topic``."""

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic
        self.started = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Revoking previously assigned partitions") and self.topic in message:
            self.started.set()


@contextlib.asynccontextmanager
async def revocations(topic: str) -> AsyncIterator[Revocations]:
    """Watch aiokafka's coordinator announce the revocation (it does so before the callback)."""
    handler = Revocations(f"topic='{topic}'")
    logger = logging.getLogger("aiokafka.consumer.group_coordinator")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def keep_producing(kafka: KafkaConnection, topic: str, made: list[uuid.UUID]) -> None:
    """One record every 20 ms until cancelled (fetches keep completing during the rebalance)."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        while True:
            event_id, record = order_placed()
            await producer.send_and_wait(
                topic, record.value, key=record.key, headers=record.headers
            )
            made.append(event_id)
            await asyncio.sleep(0.02)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def second_member(kafka: KafkaConnection, group: str, topic: str) -> AsyncIterator[None]:
    """A member of ``group`` reading only ``topic``: joining and leaving each rebalance."""
    member = AIOKafkaConsumer(topic, **kafka.client_options(), group_id=group)
    await member.start()
    try:
        await eventually(lambda: _assigned(member), what="the second member joined")
        yield
    finally:
        await member.stop()


async def _assigned(member: AIOKafkaConsumer) -> bool:
    await member.getmany(timeout_ms=100)  # keeps it polling, as a real member does
    return bool(member.assignment())


async def _effects(sessions: async_sessionmaker[AsyncSession], group: str) -> dict[uuid.UUID, int]:
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT event_id, count(*) FROM public.rebalance_effects WHERE grp = :g GROUP BY 1"
            ),
            {"g": group},
        )
        return {row[0]: row[1] for row in rows}


class CommitWatch:
    """Samples the group's committed offset on a one-partition topic while the test runs: a
    commit must never pass a record not applied yet (``produced[i]`` is at offset ``i``)."""

    def __init__(
        self,
        kafka: KafkaConnection,
        sessions: async_sessionmaker[AsyncSession],
        group: str,
        topic: str,
        produced: list[uuid.UUID],
    ) -> None:
        self.kafka, self.sessions, self.group = kafka, sessions, group
        self.tp = TopicPartition(topic, 0)
        self.produced = produced
        self.samples = 0
        self.violations: list[str] = []

    async def run(self) -> None:
        """Sample until cancelled."""
        reader = AIOKafkaConsumer(**self.kafka.client_options(), group_id=self.group)
        await reader.start()  # never subscribes: it only reads the group's commits
        try:
            while True:
                await self._sample(await reader.committed(self.tp) or 0)
                await asyncio.sleep(0.05)
        finally:
            await reader.stop()

    async def _sample(self, offset: int) -> None:
        applied = await _effects(self.sessions, self.group)  # read after the commit: newer
        missing = [i for i, e in enumerate(self.produced[:offset]) if e not in applied]
        if missing:
            self.violations.append(f"committed {offset} while offset {missing[0]} not applied")
        self.samples += 1


@contextlib.asynccontextmanager
async def watching(watch: CommitWatch) -> AsyncIterator[CommitWatch]:
    """Run ``watch`` for the block."""
    task = asyncio.create_task(watch.run())
    try:
        yield watch
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.usefixtures("effects_table")
async def test_a_rebalance_while_records_arrive_skips_none(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.rebalance.{unique}")
    other = await create_topic(kafka, f"test.rebalance.other.{unique}")
    group = f"test-rebalance-offsets-{unique}"
    made = [order_placed() for _ in range(FIRST)]
    await produce(kafka, topic, *(r for _, r in made))
    produced = [event_id for event_id, _ in made]
    effect = GatedEffect(group)
    consumer = Consumer(group, (topic,), {OrderPlaced: effect})

    watch = CommitWatch(kafka, sessions, group, topic, produced)
    running = RunningConsumer(consumer, sessions, kafka, POLICY)
    async with revocations(topic) as revoked, running, watching(watch):
        await asyncio.wait_for(effect.waiting.wait(), 60)  # the first batch is in flight
        producing = asyncio.create_task(keep_producing(kafka, topic, produced))
        try:
            joining = asyncio.create_task(_join_and_leave(kafka, group, other))
            await asyncio.wait_for(revoked.started.wait(), 60)
            await asyncio.sleep(1.0)  # records arrive while the revocation waits for the batch
            effect.gate.set()
            await joining
        finally:
            producing.cancel()
            await asyncio.gather(producing, return_exceptions=True)
        await eventually(
            lambda: _committed_at(kafka, group, topic, len(produced)), 90, "all committed"
        )

    assert watch.samples > 0
    assert not watch.violations, watch.violations[:3]
    applied = await _effects(sessions, group)
    missing = set(produced) - set(applied)
    assert not missing, f"{len(missing)} of {len(produced)} records were skipped"
    assert set(applied.values()) == {1}


async def _join_and_leave(kafka: KafkaConnection, group: str, topic: str) -> None:
    async with second_member(kafka, group, topic):
        await asyncio.sleep(0.5)


async def _committed_at(kafka: KafkaConnection, group: str, topic: str, count: int) -> bool:
    return await committed(kafka, group, topic) >= count


HELD = RetryPolicy(tier_delays=(4.0,), quick_attempts=2, batch_size=10)
FAILING = 3  # calls that fail: the fast path and 2 quick attempts; tier 1 then succeeds


class FailsOnTheMainTopic:
    """Writes one row per record; the records of ``failing`` fail until they reach tier 1."""

    def __init__(self, group: str, failing: set[uuid.UUID]) -> None:
        self.group = group
        self.failing = failing
        self.calls: dict[uuid.UUID, int] = {}  # per record: a retry tier counts on

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        event_id = ctx.envelope.event_id
        self.calls[event_id] = self.calls.get(event_id, 0) + 1
        if event_id in self.failing and self.calls[event_id] <= FAILING:
            raise TransientError("not yet")
        await ctx.session.execute(
            text("INSERT INTO public.rebalance_effects VALUES (:g, :e)"),
            {"g": self.group, "e": event_id},
        )


@pytest.mark.usefixtures("effects_table")
async def test_a_rebalance_while_a_partition_is_held_skips_none(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.rebalance.held.{unique}")
    other = await create_topic(kafka, f"test.rebalance.held.other.{unique}")
    group = f"test-rebalance-held-{unique}"
    tier = retry_topic(group, 1)
    made = [order_placed() for _ in range(FIRST)]
    failing = {made[5][0], made[17][0]}
    await produce(kafka, topic, *(r for _, r in made))
    produced = [event_id for event_id, _ in made]
    handler = FailsOnTheMainTopic(group, failing)
    consumer = Consumer(group, (topic,), {OrderPlaced: handler})

    async with revocations(topic) as revoked, RunningConsumer(consumer, sessions, kafka, HELD):
        await eventually(lambda: _size_at_least(kafka, tier, 1), 60, "a record on tier 1")
        await asyncio.sleep(0.5)  # tier 1's partition is read and held (its record is not due)
        producing = asyncio.create_task(keep_producing(kafka, topic, produced))
        try:
            await asyncio.sleep(0.3)
            await _join_and_leave(kafka, group, other)
            await asyncio.wait_for(revoked.started.wait(), 60)
            await asyncio.sleep(1.0)
        finally:
            producing.cancel()
            await asyncio.gather(producing, return_exceptions=True)
        await eventually(
            lambda: _committed_at(kafka, group, topic, len(produced)), 90, "main topic committed"
        )
        size = await topic_size(kafka, tier)
        await eventually(lambda: _committed_at(kafka, group, tier, size), 90, "tier 1 committed")

    applied = await _effects(sessions, group)
    missing = set(produced) - set(applied)
    assert not missing, f"{len(missing)} of {len(produced)} records were skipped"
    assert set(applied.values()) == {1}
    assert size >= len(failing)  # they were held on tier 1 while the group rebalanced


async def _size_at_least(kafka: KafkaConnection, topic: str, count: int) -> bool:
    return await topic_size(kafka, topic) >= count

"""A stop (SIGTERM) ends the batch in flight at a record boundary, commits and leaves the group.

A batch of slow records is in flight when the stop comes: the runtime must not finish it (it
would take many seconds more), must not commit past what it applied, and must leave the group
so another member takes the partition at once instead of after the session timeout. A
handler that hangs is cancelled after ``stop_grace_seconds``, uncommitted.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, RetryPolicy
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
)

RECORDS = 60
SECONDS_PER_RECORD = 0.25  # the batch in flight would need ~12 s to finish
GRACE = 2.0
POLICY = RetryPolicy(
    tier_delays=(0.5,), quick_attempts=1, batch_size=RECORDS, stop_grace_seconds=GRACE
)


class Slow:
    """Takes ``SECONDS_PER_RECORD`` per record (forever when ``hang``) and counts them."""

    def __init__(self, *, hang: bool = False) -> None:
        self.hang = hang
        self.started = asyncio.Event()
        self.seen: set[uuid.UUID] = set()

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.started.set()
        self.seen.add(ctx.envelope.event_id)
        await (asyncio.Event().wait() if self.hang else asyncio.sleep(SECONDS_PER_RECORD))


async def _stop(running: RunningConsumer) -> float:
    """Set the stop and return the seconds until the runtime returned."""
    assert running.task is not None
    began = time.monotonic()
    running.stop.set()
    await asyncio.wait_for(asyncio.shield(running.task), 60)
    return time.monotonic() - began


async def _members(kafka: KafkaConnection, group: str) -> int:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        (description,) = await admin.describe_consumer_groups([group])
        return sum(len(g["members"]) for g in description.to_object()["groups"])
    finally:
        await admin.close()


async def _inbox(sessions: async_sessionmaker[AsyncSession], group: str) -> int:
    async with sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM messaging.inbox WHERE consumer = :g"), {"g": group}
        )
    return int(count or 0)


async def test_a_stop_ends_the_batch_in_flight_commits_and_leaves_the_group(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.stopping.{unique}")
    group = f"test-stopping-{unique}"
    await produce(kafka, topic, *(order_placed()[1] for _ in range(RECORDS)))
    slow = Slow()
    running = RunningConsumer(
        Consumer(group, (topic,), {OrderPlaced: slow}), sessions, kafka, POLICY
    )

    async with running:
        await asyncio.wait_for(slow.started.wait(), 60)
        await asyncio.sleep(1.0)  # a few records into the batch
        seconds = await _stop(running)

    print(f"stopped in {seconds:.2f} s with a {RECORDS * SECONDS_PER_RECORD:.0f} s batch in flight")
    assert seconds < GRACE, "the stop waited for the batch instead of ending it"
    assert len(slow.seen) < RECORDS
    applied = await _inbox(sessions, group)
    assert applied > 0  # what the batch applied before the stop is kept...
    assert await committed(kafka, group, topic) == applied  # ...and committed, and nothing else
    assert await _members(kafka, group) == 0  # it left: the next member need not wait


async def test_a_hung_handler_is_cancelled_after_the_grace_and_nothing_is_committed(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.stopping.hung.{unique}")
    group = f"test-stopping-hung-{unique}"
    await produce(kafka, topic, *(order_placed()[1] for _ in range(3)))
    hung = Slow(hang=True)
    running = RunningConsumer(
        Consumer(group, (topic,), {OrderPlaced: hung}), sessions, kafka, POLICY
    )

    async with running:
        await asyncio.wait_for(hung.started.wait(), 60)
        seconds = await _stop(running)

    print(f"stopped in {seconds:.2f} s with a hung handler (grace {GRACE} s)")
    assert GRACE <= seconds < GRACE + 10
    assert await _inbox(sessions, group) == 0
    assert await committed(kafka, group, topic) == 0
    assert await _members(kafka, group) == 0

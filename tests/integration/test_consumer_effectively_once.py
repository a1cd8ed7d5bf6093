"""The consumer applies each event once: duplicates, a crash before commit, a restart after."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
    record_test_email,
    scalar,
)
from tests.support.polling import eventually


class Runner:
    """A handler that records the email, counting calls; it can hang to simulate a crash."""

    def __init__(self) -> None:
        self.calls = 0
        self.hang_next = False
        self.hanging = asyncio.Event()

    async def handler(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.calls += 1
        await record_test_email(event, ctx)
        if self.hang_next:
            self.hang_next = False
            self.hanging.set()
            await asyncio.Event().wait()  # the process dies here, before the commit


async def _count(
    sessions: async_sessionmaker[AsyncSession], table: str, event_id: uuid.UUID
) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE event_id = :id"  # noqa: S608 (fixed names)
    return int(await scalar(sessions, sql, id=event_id))


async def _setup(kafka: KafkaConnection, unique: str) -> tuple[str, str, Runner, Consumer]:
    topic = await create_topic(kafka, f"test.orders.{unique}")
    group = f"notifications-{unique}"
    runner = Runner()
    return topic, group, runner, Consumer(group, (topic,), {OrderPlaced: runner.handler})


def _committed_to(
    kafka: KafkaConnection, group: str, topic: str, offset: int
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await committed(kafka, group, topic) >= offset

    return check


async def test_the_same_event_delivered_twice_is_applied_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic, group, runner, consumer = await _setup(kafka, unique)
    event_id, record = order_placed()
    await produce(kafka, topic, record, record)

    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(_committed_to(kafka, group, topic, 2), what="both committed")

    assert runner.calls == 1  # the second delivery never reaches the handler
    assert await _count(sessions, "notifications.notifications", event_id) == 1
    assert await _count(sessions, "messaging.inbox", event_id) == 1


async def test_a_crash_before_commit_redelivers_and_the_event_is_applied_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic, group, runner, consumer = await _setup(kafka, unique)
    event_id, record = order_placed()
    await produce(kafka, topic, record)
    runner.hang_next = True

    crashed = RunningConsumer(consumer, sessions, kafka)
    await crashed.__aenter__()
    await asyncio.wait_for(runner.hanging.wait(), 30)
    await crashed.kill()
    await crashed.__aexit__()
    assert await _count(sessions, "notifications.notifications", event_id) == 0

    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(_committed_to(kafka, group, topic, 1), what="committed after restart")

    assert runner.calls == 2
    assert await _count(sessions, "notifications.notifications", event_id) == 1


async def test_after_commit_a_restarted_consumer_does_not_reapply(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic, group, runner, consumer = await _setup(kafka, unique)
    event_id, record = order_placed()
    await produce(kafka, topic, record)
    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(_committed_to(kafka, group, topic, 1), what="first committed")

    later_id, later = order_placed()
    await produce(kafka, topic, later)
    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(_committed_to(kafka, group, topic, 2), what="second committed")

    assert runner.calls == 2
    assert await _count(sessions, "notifications.notifications", event_id) == 1
    assert await _count(sessions, "notifications.notifications", later_id) == 1

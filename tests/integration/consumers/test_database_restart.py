"""A PostgreSQL restart under a running consumer — a clean one and a crash — costs waiting
only: no dead letter, no retry, every record applied exactly once, nothing for an operator.

This is the outage that once dead-lettered hundreds of records: while the server stops and
starts, clients meet "terminating connection due to administrator command" (57P01), "the
database system is shutting down" / "starting up" (57P03) and refused connections.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, dead_letter_topic, retry_topic
from events.schemas import OrderPlaced
from foundation.database import create_engine, create_sessions
from foundation.kafka import KafkaConnection
from foundation.namespace import DEFAULT_NAMESPACE
from tests.integration.consumers.support import (
    FAST,
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
    record_test_email,
    topic_size,
)
from tests.integration.consumers.test_infrastructure_waits import emails, waits
from tests.private_pair import PrivatePostgres
from tests.private_pair.postgres import StopMode
from tests.support.polling import eventually

TOTAL = 240
# Small transactions, so progress shows (and outages land) batch after batch.
SMALL_BATCHES = replace(FAST, batch_size=20, max_batch_records=20)


async def test_a_restart_and_a_crash_of_postgresql_cost_only_waiting(
    private_database: PrivatePostgres, kafka: KafkaConnection, unique: str
) -> None:
    server = private_database
    engine = create_engine(server.url())
    sessions = create_sessions(engine, DEFAULT_NAMESPACE)
    topic = await create_topic(kafka, f"test.pg.restart.{unique}", partitions=2)
    group = f"test-pg-restart-{unique}"
    records = [order_placed() for _ in range(TOTAL)]
    ids = [event_id for event_id, _ in records]

    async def slow_email(event: OrderPlaced, ctx: MessageContext) -> None:
        await asyncio.sleep(0.03)  # seconds of work: both outages land mid-stream
        await record_test_email(event, ctx)

    try:
        consumer = Consumer(group, (topic,), {OrderPlaced: slow_email})
        async with RunningConsumer(consumer, sessions, kafka, SMALL_BATCHES) as running:
            await produce(kafka, topic, *(record for _, record in records))
            stops: tuple[tuple[StopMode, float], ...] = (("fast", 0.2), ("immediate", 0.55))
            for mode, share in stops:
                await eventually(partial(_handled_over, sessions, ids, share), what="progress")
                before = _waits(group)
                await server.stop(mode)
                await eventually(partial(_waited_since, group, before), what="a wait")
                await asyncio.sleep(1)
                running.check()
                await server.start()
            await eventually(lambda: _all_committed(kafka, group, topic), what="all committed")
            running.check()
        assert await emails(sessions, ids) == TOTAL
    finally:
        await engine.dispose()

    assert await topic_size(kafka, dead_letter_topic(group)) == 0
    assert await topic_size(kafka, retry_topic(group, 1)) == 0
    assert (
        sum(waits(group, cause) for cause in ("server_unavailable", "connection_lost", "network"))
        >= 2
    )


def _waits(group: str) -> float:
    return sum(
        waits(group, cause) for cause in ("server_unavailable", "connection_lost", "network")
    )


async def _waited_since(group: str, before: float) -> bool:
    return _waits(group) > before


async def _handled_over(
    sessions: async_sessionmaker[AsyncSession], ids: list[uuid.UUID], share: float
) -> bool:
    try:
        return await emails(sessions, ids) >= share * len(ids)
    except OSError:
        return False


async def _all_committed(kafka: KafkaConnection, group: str, topic: str) -> bool:
    done = [await committed(kafka, group, topic, p) for p in (0, 1)]
    return sum(done) >= TOTAL

"""A database failure under a batch is nobody's fault: the batch waits and runs again.

PostgreSQL really drops the consumer's connections here (``pg_terminate_backend``, which is
what a restart or a failover does to a client: SQLSTATE 57P01 "terminating connection due to
administrator command"), in every step a batch takes: the fast path, the savepoint path after
a record failed, and the after-commit effects. Nothing may be dead-lettered or retried for it,
and every record must be applied exactly once.
"""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.runtime import (
    Consumer,
    EffectContext,
    MessageContext,
    PermanentError,
    dead_letter_topic,
    retry_topic,
)
from consumers.runtime.status import groups_status
from events.schemas import OrderPlaced
from foundation.database import create_engine, create_sessions
from foundation.kafka import KafkaConnection
from foundation.namespace import DEFAULT_NAMESPACE
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_placed,
    produce,
    read_all,
    record_test_email,
    scalar,
    topic_size,
)
from tests.kafka_helpers import end_offsets
from tests.support.polling import eventually

KILL_OWN_BACKEND = text("SELECT pg_terminate_backend(pg_backend_pid())")


class KillsItsConnection:
    """Records the test email, but first drops its own database connection the first time it
    meets one of ``victims`` (the server ends the backend in the middle of the statement)."""

    def __init__(self, victims: set[uuid.UUID], refuse: set[uuid.UUID] | None = None) -> None:
        self.victims, self.refuse = victims, refuse or set()
        self.killed: set[uuid.UUID] = set()

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        event_id = ctx.envelope.event_id
        if event_id in self.refuse:
            raise PermanentError("refused for the test")
        if event_id in self.victims and event_id not in self.killed:
            self.killed.add(event_id)
            await ctx.session.execute(KILL_OWN_BACKEND)
        await record_test_email(event, ctx)


def waits(group: str, cause: str) -> float:
    """``orderflow_consumer_infrastructure_waits_total`` of ``group`` for ``cause``."""
    labels = {"group": group, "cause": cause}
    return REGISTRY.get_sample_value("orderflow_consumer_infrastructure_waits_total", labels) or 0


async def emails(sessions: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]) -> int:
    """Test emails recorded for ``ids`` (one each when every record was applied once)."""
    count = await scalar(
        sessions,
        "SELECT count(*) FROM notifications.notifications WHERE event_id = ANY(:ids)",
        ids=ids,
    )
    return int(count)


async def test_connections_dropped_mid_batch_dead_letter_nothing_and_apply_each_record_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.infra.kill.{unique}")
    group = f"test-infra-kill-{unique}"
    records = [order_placed() for _ in range(40)]
    ids = [event_id for event_id, _ in records]
    refused = ids[25]  # makes its batch take the savepoint path, where ids[30] kills again
    handler = KillsItsConnection({ids[5], ids[30]}, refuse={refused})
    await produce(kafka, topic, *(record for _, record in records))

    consumer = Consumer(group, (topic,), {OrderPlaced: handler})
    async with RunningConsumer(consumer, sessions, kafka) as running:
        await eventually(lambda: _committed_all(kafka, group, topic, 40), what="all committed")
        running.check()

    assert handler.killed == {ids[5], ids[30]}
    assert await emails(sessions, ids) == 39  # every record but the refused one, once each
    assert await topic_size(kafka, dead_letter_topic(group)) == 1  # the refused one only
    assert await topic_size(kafka, retry_topic(group, 1)) == 0
    assert waits(group, "server_unavailable") + waits(group, "connection_lost") >= 2


async def test_an_effect_losing_its_connection_waits_and_runs_again(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.infra.effect.{unique}")
    group = f"test-infra-effect-{unique}"
    records = [order_placed() for _ in range(10)]
    ids = [event_id for event_id, _ in records]
    done: list[uuid.UUID] = []

    async def effect(event: OrderPlaced, ctx: EffectContext) -> None:
        async with ctx.sessions() as session:
            if ctx.envelope.event_id == ids[3] and ids[3] not in done:
                done.append(ids[3])  # the first run only: the server drops us mid-statement
                await session.execute(KILL_OWN_BACKEND)
            done.append(ctx.envelope.event_id)

    await produce(kafka, topic, *(record for _, record in records))
    consumer = Consumer(
        group, (topic,), {OrderPlaced: record_test_email}, effects={OrderPlaced: effect}
    )
    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(lambda: _committed_all(kafka, group, topic, 10), what="all committed")

    assert set(done) == set(ids)
    assert await emails(sessions, ids) == 10
    assert await topic_size(kafka, dead_letter_topic(group)) == 0
    assert await topic_size(kafka, retry_topic(group, 1)) == 0


async def test_connections_killed_from_outside_while_records_flow(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    kafka: KafkaConnection,
    unique: str,
) -> None:
    topic = await create_topic(kafka, f"test.infra.outside.{unique}", partitions=3)
    group = f"test-infra-outside-{unique}"
    records = [order_placed() for _ in range(300)]
    ids = [event_id for event_id, _ in records]

    async def slow_email(event: OrderPlaced, ctx: MessageContext) -> None:
        await asyncio.sleep(0.005)  # batches stay open long enough to be hit
        await record_test_email(event, ctx)

    consumer = Consumer(group, (topic,), {OrderPlaced: slow_email})
    async with RunningConsumer(consumer, sessions, kafka):
        await produce(kafka, topic, *(record for _, record in records))
        killed = await _kill_other_backends(engine, times=8, every=0.3)
        await eventually(lambda: _committed_all(kafka, group, topic, 300), what="all committed")

    assert killed > 0
    assert await emails(sessions, ids) == 300
    assert await topic_size(kafka, dead_letter_topic(group)) == 0
    assert await topic_size(kafka, retry_topic(group, 1)) == 0


async def _kill_other_backends(engine: AsyncEngine, *, times: int, every: float) -> int:
    """Terminate every other connection to the test database ``times`` times."""
    killed = 0
    for _ in range(times):
        async with engine.connect() as conn:
            killed += int(
                await conn.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                or 0
            )
        await asyncio.sleep(every)
    return killed


async def _committed_all(kafka: KafkaConnection, group: str, topic: str, total: int) -> bool:
    partitions = await _partitions(kafka, topic)
    done = [await committed(kafka, group, topic, p) for p in partitions]
    return sum(done) >= total


async def _partitions(kafka: KafkaConnection, topic: str) -> list[int]:
    return sorted(tp.partition for tp in await end_offsets(kafka, topic))


async def test_status_shows_a_wait_in_progress_and_forgets_it_once_over(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.infra.status.{unique}")
    group = f"test-infra-status-{unique}"
    event_id, record = order_placed()
    blocked = True

    async def down_until_released(event: OrderPlaced, ctx: MessageContext) -> None:
        if blocked:  # every run: the database "restarts" under this batch
            await ctx.session.execute(KILL_OWN_BACKEND)
        await record_test_email(event, ctx)

    consumer = Consumer(group, (topic,), {OrderPlaced: down_until_released})
    await produce(kafka, topic, record)
    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(lambda: _waiting(kafka, sessions, consumer, True), what="a wait shown")
        (status,) = await groups_status(kafka, sessions, [consumer], tiers=2)
        (wait,) = status.waits
        assert wait["cause"] in ("server_unavailable", "connection_lost")
        assert wait["partitions"] == 1
        assert wait["stale"] is False
        assert status.database_error is None
        assert _gauge(group) > 0
        blocked = False
        await eventually(lambda: _waiting(kafka, sessions, consumer, False), what="wait over")
    assert _gauge(group) == 0
    assert await emails(sessions, [event_id]) == 1


async def test_status_still_shows_kafka_when_the_database_is_unreachable(
    kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.infra.nodb.{unique}")
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    consumer = Consumer(f"test-infra-nodb-{unique}", (topic,), {OrderPlaced: record_test_email})

    try:
        (status,) = await groups_status(
            kafka, create_sessions(engine, DEFAULT_NAMESPACE), [consumer], tiers=2
        )
    finally:
        await engine.dispose()

    assert status.database_error is not None
    assert "ConnectionRefusedError" in status.database_error
    assert [p.topic for p in status.partitions] == [topic]


async def _waiting(
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    consumer: Consumer,
    expected: bool,
) -> bool:
    (status,) = await groups_status(kafka, sessions, [consumer], tiers=2)
    return bool(status.waits) is expected


def _gauge(group: str) -> float:
    value = REGISTRY.get_sample_value(
        "orderflow_consumer_infrastructure_waiting_since_seconds", {"group": group}
    )
    return value or 0


async def test_a_dead_letter_the_broker_cannot_take_waits_and_is_written_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.infra.broker.{unique}")
    group = f"test-infra-broker-{unique}"
    records = [order_placed() for _ in range(6)]
    ids = [event_id for event_id, _ in records]
    handler = KillsItsConnection(set(), refuse={ids[2]})
    consumer = Consumer(group, (topic,), {OrderPlaced: handler})

    async with RunningConsumer(consumer, sessions, kafka, request_timeout_ms=2_000) as running:
        await eventually(lambda: _exists(kafka, dead_letter_topic(group)), what="DLQ created")
        await _delete_topic(kafka, dead_letter_topic(group))  # the broker cannot take it now
        await produce(kafka, topic, *(record for _, record in records))
        await eventually(lambda: _waited(group, "broker"), what="a wait on the broker")
        await create_topic(kafka, dead_letter_topic(group))  # and now it can
        await eventually(lambda: _committed_all(kafka, group, topic, 6), what="all committed")
        running.check()

    (dead,) = await read_all(kafka, dead_letter_topic(group), 1)
    assert dict(dead.headers or ())["ce_id"] == str(ids[2]).encode()
    assert await topic_size(kafka, dead_letter_topic(group)) == 1
    assert await emails(sessions, ids) == 5


async def _exists(kafka: KafkaConnection, topic: str) -> bool:
    return bool(await end_offsets(kafka, topic))


async def _waited(group: str, cause: str) -> bool:
    return waits(group, cause) > 0


async def _delete_topic(kafka: KafkaConnection, topic: str) -> None:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    await eventually(lambda: _gone(kafka, topic), what=f"{topic} deleted")


async def _gone(kafka: KafkaConnection, topic: str) -> bool:
    return not await end_offsets(kafka, topic)

"""The operator's 3 a.m. story on the real pair, with the real notifications consumer.

The SMTP sink breaks, confirmation emails go through the retry tiers into the dead-letter
topic; the operator lists them, dry-runs a replay, fixes the sink, replays at a safe rate:
every email arrives exactly once, the audit trail says who did what, nothing is left. A second
replay of the same records sends nothing, and the loop guard refuses a third.

Runs the consumer runtime in process (tests/integration/consumers/support.py) rather than the
HTTP stack: the operator side only sees Kafka topics and the inbox either way.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.notifications import SmtpConfig, SmtpMailer, message_id_for, notifications_consumer
from consumers.operations import DeadLetterDesk, LoopGuard, ReplayRequest, Selection
from consumers.operations.conventions import dead_letter_topic, retry_topic
from devtools.fakes.smtp_sink import SinkMode, SmtpSink
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    FAST,
    RunningConsumer,
    committed,
    create_topic,
    placed_then_confirmed,
    produce,
    read_all,
    topic_size,
)
from tests.kafka_helpers import end_offsets
from tests.support.polling import eventually
from tests.support.recipients import PlaceholderDirectory

ORDERS = 3


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    """A running SMTP sink on a free port."""
    sink = await SmtpSink().start()
    yield sink
    await sink.stop()


async def _sent(sessions: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]) -> int:
    async with sessions() as session:
        sql = "SELECT count(*) FROM notifications.notifications WHERE event_id = ANY(:ids) "
        return int(await session.scalar(text(sql + "AND status = 'sent'"), {"ids": ids}) or 0)


@pytest.mark.timeout(240)
async def test_replay_after_an_smtp_outage_delivers_every_email_exactly_once(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    sink: SmtpSink,
    unique: str,
) -> None:
    topic = await create_topic(kafka, f"test.story.{unique}")
    mailer = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=2))
    consumer = dataclasses.replace(
        notifications_consumer(mailer, PlaceholderDirectory(), group=f"story-{unique}"),
        topics=(topic,),
    )
    group, desk = consumer.name, DeadLetterDesk(engine, kafka)
    orders = [placed_then_confirmed(uuid.uuid4()) for _ in range(ORDERS)]
    ids = [confirmed_id for _, confirmed_id, _ in orders]
    await sink.set_mode(SinkMode.REFUSE)  # the outage
    await produce(
        kafka, topic, *(r for placed, _, confirmed in orders for r in (placed, confirmed))
    )

    async with RunningConsumer(consumer, sessions, kafka, FAST) as running:
        await read_all(kafka, dead_letter_topic(group), ORDERS, timeout=90)

        (row,) = await desk.summary(group)
        assert (row.reason, row.count) == ("retries_exhausted", ORDERS)
        assert row.event_type.startswith("orderflow.orders.OrderConfirmed.v")

        replayed_before = await topic_size(kafka, retry_topic(group, 1))
        plan = await desk.plan(Selection(group))
        assert (plan.total, plan.to_send, plan.refused) == (ORDERS, ORDERS, 0)
        assert await topic_size(kafka, retry_topic(group, 1)) == replayed_before
        assert await desk.jobs(group) == []  # the dry run recorded nothing

        await sink.set_mode(SinkMode.ACCEPT)  # the fix
        request = ReplayRequest(
            "oncall", "SMTP relay restarted (INC-42)", retry_topic(group, 1), rate_per_second=5.0
        )
        view = await desk.run(await desk.create_replay(plan, request))
        assert (view.job.status, view.outcomes["replayed"]) == ("completed", ORDERS)
        await eventually(lambda: _is_sent(sessions, ids), timeout=60, what="every email sent")
        running.check()

        assert await desk.summary(group) == []
        for event_id in ids:
            assert len(sink.with_message_id(message_id_for(event_id, "order_confirmation"))) == 1

        again = await desk.plan(Selection(group), include_resolved=True)
        assert again.predicted_duplicates == ORDERS
        second = await desk.run(await desk.create_replay(again, request))
        assert second.outcomes["already_processed"] == ORDERS
        guarded = await desk.plan(
            Selection(group), include_resolved=True, guard=LoopGuard(max_replays=2)
        )
        third = await desk.run(await desk.create_replay(guarded, request))
        assert third.outcomes.get("refused_loop_guard") == ORDERS
        await _settle(kafka, group)

    assert len(sink.messages) == ORDERS  # exactly once, whatever the replays
    async with sessions() as session:
        audit = (
            await session.execute(
                text(
                    "SELECT action, operator, reason FROM messaging.dead_letter_audit "
                    "WHERE consumer_group = :g ORDER BY id"
                ),
                {"g": group},
            )
        ).all()
    assert [a.action for a in audit].count("replay") == 3
    assert {(a.operator, a.reason) for a in audit} == {("oncall", "SMTP relay restarted (INC-42)")}


async def _is_sent(sessions: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]) -> bool:
    return await _sent(sessions, ids) == len(ids)


async def _settle(kafka: KafkaConnection, group: str) -> None:
    """Wait until the group committed past every replayed record (so it handled them)."""
    topic = retry_topic(group, 1)

    async def caught_up() -> bool:
        ends = await end_offsets(kafka, topic)
        done = [await committed(kafka, group, topic, tp.partition) for tp in ends]
        return done == list(ends.values())

    await eventually(caught_up, timeout=60, what="the replays handled")

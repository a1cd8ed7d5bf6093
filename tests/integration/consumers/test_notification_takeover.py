"""A notification whose sender died mid-send is taken over at once; a live one is never doubled.

The sender holds the notification's advisory lock while it sends
(``consumers/notifications/sender_lock.py``). First, a consumer process claims a confirmation
email and hangs in the SMTP call until it is killed with SIGKILL: the next member of the group
sends it once, at once (not after a two-minute lease, its retries spent and the record
dead-lettered meanwhile). Second, while a live sender holds the lock, another attempt waits
and sends nothing, even though the claim is old enough for any lease to have run out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications import SmtpConfig, SmtpMailer, message_id_for, notifications_consumer
from consumers.notifications.delivery import deliver_notification
from consumers.notifications.sender_lock import sender_lock
from consumers.runtime import EffectContext, dead_letter_topic, retry_topic
from devtools.fakes.smtp_sink import SmtpSink
from events.codec import decode_record
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    placed_then_confirmed,
    produce,
    scalar,
    topic_size,
)
from tests.support.polling import eventually
from tests.support.recipients import PlaceholderDirectory

KIND = "order_confirmation"


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    """A running SMTP sink on a free port."""
    sink = await SmtpSink().start()
    yield sink
    await sink.stop()


def _counter(name: str, group: str) -> float:
    return REGISTRY.get_sample_value(name, {"group": group}) or 0.0


async def _status_is(
    sessions: async_sessionmaker[AsyncSession], message_id: str, status: str
) -> bool:
    sql = "SELECT status FROM notifications.notifications WHERE message_id = :id"
    return bool(await scalar(sessions, sql, id=message_id) == status)


async def test_a_claim_left_by_a_killed_sender_is_taken_over_at_once(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    sink: SmtpSink,
    unique: str,
) -> None:
    topic = await create_topic(kafka, f"test.takeover.{unique}")
    group = f"test-takeover-{unique}"
    placed, event_id, confirmed = placed_then_confirmed(uuid.uuid4())
    await produce(kafka, topic, placed, confirmed)
    message_id = message_id_for(event_id, KIND)
    module = "tests.integration.consumers.dying_sender"
    args = [database_url, kafka.bootstrap_servers, topic, group]
    dying = await asyncio.create_subprocess_exec(sys.executable, "-m", module, *args)
    try:
        await eventually(
            lambda: _status_is(sessions, message_id, "sending"), 90, "claimed, hanging in SMTP"
        )
    finally:
        dying.kill()  # SIGKILL: no unlock, no mark; PostgreSQL drops its connection and lock
        await dying.wait()
    killed = time.monotonic()
    before = _counter("orderflow_consumer_send_takeovers_total", group)
    mailer = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=5))
    consumer = notifications_consumer(mailer, PlaceholderDirectory(), group=group)
    consumer = dataclasses.replace(consumer, topics=(topic,))

    async with RunningConsumer(consumer, sessions, kafka):
        await eventually(lambda: _status_is(sessions, message_id, "sent"), 90, "taken over")
    seconds = time.monotonic() - killed

    # (most of it is the group noticing the dead member: its session timeout)
    print(f"taken over and sent {seconds:.1f} s after the sender was killed")
    assert len(sink.with_message_id(message_id)) == 1
    assert _counter("orderflow_consumer_send_takeovers_total", group) == before + 1
    assert await topic_size(kafka, retry_topic(group, 1)) == 0
    assert await topic_size(kafka, dead_letter_topic(group)) == 0


async def test_a_live_sender_is_waited_for_and_never_sent_beside(
    sessions: async_sessionmaker[AsyncSession], sink: SmtpSink, unique: str
) -> None:
    group = f"test-live-sender-{unique}"
    _, event_id, confirmed = placed_then_confirmed(uuid.uuid4())
    decoded = decode_record(confirmed.value, list(confirmed.headers), confirmed.topic)
    message_id = message_id_for(event_id, KIND)
    await _claimed_long_ago(sessions, event_id, message_id)
    deliver = deliver_notification(SmtpMailer(SmtpConfig(port=sink.port)), group=group)
    waits = _counter("orderflow_consumer_send_lock_waits_total", group)

    async with sender_lock(sessions, message_id, group) as held:  # the live sender
        assert held
        context = EffectContext(sessions, decoded.envelope)
        attempt = asyncio.ensure_future(deliver(decoded.event, context))
        await asyncio.sleep(1.5)
        assert not attempt.done()
        assert sink.messages == []
        async with sessions.begin() as session:  # the live sender's mark
            await session.execute(
                text(
                    "UPDATE notifications.notifications SET status = 'sent' WHERE message_id = :m"
                ),
                {"m": message_id},
            )
    await asyncio.wait_for(attempt, 30)

    assert sink.messages == []
    assert _counter("orderflow_consumer_send_lock_waits_total", group) == waits + 1


async def _claimed_long_ago(
    sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID, message_id: str
) -> None:
    """A row in ``sending`` claimed an hour ago: a lease would long have let anyone send it."""
    async with sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO notifications.notifications (message_id, event_id, kind, recipient,"
                " subject, body, correlation_id, status, attempts, last_attempt_at) VALUES"
                " (:m, :e, :k, 'someone@customers.example', 'Order confirmed', 'Thanks',"
                " 'test', 'sending', 1, now() - interval '1 hour')"
            ),
            {"m": message_id, "e": event_id, "k": KIND},
        )

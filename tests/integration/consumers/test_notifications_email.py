"""Notifications over real SMTP (the aiosmtpd sink): once, with the event's Message-ID."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications import SmtpConfig, SmtpMailer, message_id_for, notifications_consumer
from consumers.runtime import (
    Consumer,
    PermanentError,
    RetryPolicy,
    dead_letter_topic,
    retry_topic,
)
from consumers.runtime import headers as h
from devtools.fakes.smtp_sink import SinkMode, SmtpSink
from events.schemas.identity import PasswordResetRequested, SignUpAttempted
from events.schemas.orders import OrderCancelled
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    headers_of,
    order_event,
    placed_then_confirmed,
    produce,
    read_all,
    scalar,
    topic_size,
)
from tests.support.polling import eventually
from tests.support.recipients import PlaceholderDirectory

# Long enough for the test to bring the sink back between tiers.
PATIENT = RetryPolicy(tier_delays=(1.0, 2.0, 4.0), quick_attempts=2, quick_backoff_seconds=0.05)


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    """A running SMTP sink on a free port."""
    sink = await SmtpSink().start()
    yield sink
    await sink.stop()


async def _consumer(kafka: KafkaConnection, sink: SmtpSink, unique: str) -> Consumer:
    topic = await create_topic(kafka, f"test.notify.{unique}")
    mailer = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=5))
    group = f"test-notifications-{unique}"
    return dataclasses.replace(
        notifications_consumer(mailer, PlaceholderDirectory(), group=group), topics=(topic,)
    )


async def _status(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> str | None:
    sql = "SELECT status FROM notifications.notifications WHERE event_id = :id"
    return await scalar(sessions, sql, id=event_id)  # type: ignore[no-any-return]


async def test_the_confirmation_email_arrives_once_with_the_event_message_id(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, sink: SmtpSink, unique: str
) -> None:
    consumer = await _consumer(kafka, sink, unique)
    customer = uuid.uuid4()
    placed, event_id, confirmed = placed_then_confirmed(customer)
    await produce(kafka, consumer.topics[0], placed, confirmed, confirmed)  # delivered twice
    message_id = message_id_for(event_id, "order_confirmation")

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        await eventually(lambda: _is(sessions, event_id, "sent"), what="email sent")

    (mail,) = sink.with_message_id(message_id)
    assert mail.rcpt_tos == (f"customer-{customer}@customers.example",)
    assert "is confirmed (3.00 EUR)" in mail.subject
    assert len(sink.messages) == 1


async def test_the_owner_of_an_address_someone_signed_up_with_is_told_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, sink: SmtpSink, unique: str
) -> None:
    consumer = await _consumer(kafka, sink, unique)
    owner = uuid.uuid4()
    attempt = SignUpAttempted(
        attempt_id=uuid.uuid4(), user_id=owner, attempted_at=datetime.now(UTC)
    )
    event_id, record = order_event(attempt, version=1)
    await produce(kafka, consumer.topics[0], record, record)  # delivered twice

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        await eventually(lambda: _is(sessions, event_id, "sent"), what="email sent")

    (mail,) = sink.with_message_id(message_id_for(event_id, "sign_up_attempted"))
    assert mail.rcpt_tos == (f"customer-{owner}@customers.example",)
    assert mail.subject == "Someone tried to sign up with your address"
    assert "POST /v1/auth/password-reset" in mail.text()
    assert len(sink.messages) == 1


async def test_the_cancellation_of_an_order_paid_upstream_sends_the_customer_to_the_seller(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, sink: SmtpSink, unique: str
) -> None:
    consumer = await _consumer(kafka, sink, unique)
    placed, _, confirmed = placed_then_confirmed(uuid.uuid4())
    order_id = uuid.UUID(confirmed.key.decode())
    cancelled = OrderCancelled(
        order_id=order_id, reason="customer_request", was_paid=True, paid_upstream=True
    )
    event_id, record = order_event(cancelled, version=4)
    await produce(kafka, consumer.topics[0], placed, record)

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        await eventually(lambda: _is(sessions, event_id, "sent"), what="email sent")

    (mail,) = sink.with_message_id(message_id_for(event_id, "order_cancellation"))
    assert "you asked us to" in mail.text()
    assert "the refund is theirs to make" in mail.text()
    assert "on its way" not in mail.text()


@pytest.mark.parametrize("outage", [SinkMode.REFUSE, SinkMode.TEMPFAIL])
async def test_an_smtp_outage_is_retried_and_the_email_delivered_once_when_back(
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    sink: SmtpSink,
    unique: str,
    outage: SinkMode,
) -> None:
    consumer = await _consumer(kafka, sink, unique)
    placed, event_id, confirmed = placed_then_confirmed(uuid.uuid4())
    await sink.set_mode(outage)
    await produce(kafka, consumer.topics[0], placed, confirmed)

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        (retried,) = await read_all(kafka, retry_topic(consumer.name, 1), 1)
        assert await _status(sessions, event_id) == "pending"  # recorded before any attempt
        await sink.set_mode(SinkMode.ACCEPT)
        await eventually(lambda: _is(sessions, event_id, "sent"), what="email sent after outage")

    assert len(sink.with_message_id(message_id_for(event_id, "order_confirmation"))) == 1
    assert headers_of(retried)[h.EXCEPTION_TYPE] == "SmtpUnavailable"
    assert await topic_size(kafka, dead_letter_topic(consumer.name)) == 0


async def test_a_rejected_recipient_is_dead_lettered_not_retried(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, sink: SmtpSink, unique: str
) -> None:
    consumer = await _consumer(kafka, sink, unique)
    placed, event_id, confirmed = placed_then_confirmed(uuid.uuid4())
    await sink.set_mode(SinkMode.REJECT)
    await produce(kafka, consumer.topics[0], placed, confirmed)

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        (dead,) = await read_all(kafka, dead_letter_topic(consumer.name), 1)

    headers = headers_of(dead)
    assert headers[h.EXCEPTION_REASON] == "permanent"
    assert headers[h.EXCEPTION_TYPE] == "RecipientRejected"
    assert sink.rcpt_attempts == 1
    assert await topic_size(kafka, retry_topic(consumer.name, 1)) == 0
    assert await _status(sessions, event_id) == "failed"
    assert sink.messages == []


async def _is(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID, status: str) -> bool:
    return await _status(sessions, event_id) == status


class FakeResetLinks:
    """Reset links as identity would give them; ``expired`` ones are refused for good."""

    def __init__(self) -> None:
        self.expired: set[uuid.UUID] = set()

    async def link_for(self, reset_id: uuid.UUID, sessions: object) -> str:
        if reset_id in self.expired:
            raise PermanentError("this reset link has expired")
        return f"https://shop.example/reset#token=secret-{reset_id}"


async def test_a_password_reset_email_carries_the_link_which_is_never_stored(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, sink: SmtpSink, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.resets.{unique}")
    mailer = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=5))
    links = FakeResetLinks()
    consumer = dataclasses.replace(
        notifications_consumer(
            mailer, PlaceholderDirectory(), reset_links=links, group=f"test-resets-{unique}"
        ),
        topics=(topic,),
    )
    user = uuid.uuid4()
    now = datetime.now(UTC)
    usable, expired = uuid.uuid4(), uuid.uuid4()
    links.expired.add(expired)
    records = [
        order_event(
            PasswordResetRequested(
                user_id=user, reset_id=reset, requested_at=now, expires_at=now + timedelta(hours=1)
            ),
            version=1,
        )
        for reset in (usable, expired)
    ]
    await produce(kafka, topic, *(r for _, r in records))

    async with RunningConsumer(consumer, sessions, kafka, PATIENT):
        await eventually(lambda: _is(sessions, records[0][0], "sent"), what="reset email sent")
        (dead,) = await read_all(kafka, consumer.dead_letter_topic, 1)

    (mail,) = sink.with_message_id(message_id_for(records[0][0], "password_reset"))
    assert f"https://shop.example/reset#token=secret-{usable}" in mail.text()
    assert mail.rcpt_tos == (f"customer-{user}@customers.example",)
    stored = await scalar(
        sessions,
        "SELECT body FROM notifications.notifications WHERE event_id = :id",
        id=records[0][0],
    )
    assert "secret" not in stored
    assert "{reset_link}" in stored
    assert headers_of(dead)[h.EXCEPTION_REASON] == "permanent"

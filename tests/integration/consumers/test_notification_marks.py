"""An email the SMTP server accepted is never sent again because marking it ``sent`` failed.

PostgreSQL really goes away right after the server accepted the message (a private cluster,
stopped from inside the send), for a moment shorter than the mark's retries, and for longer
(the batch then waits; this process remembers the acceptance and only marks the row).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications import SmtpConfig, SmtpMailer, message_id_for, notifications_consumer
from consumers.runtime import dead_letter_topic, retry_topic
from devtools.fakes.smtp_sink import SmtpSink
from foundation.database import create_engine, create_sessions
from foundation.kafka import KafkaConnection
from foundation.namespace import DEFAULT_NAMESPACE
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    placed_then_confirmed,
    produce,
    scalar,
    topic_size,
)
from tests.private_pair import PrivatePostgres
from tests.support.polling import eventually
from tests.support.recipients import PlaceholderDirectory


class DatabaseGoesAwayAfterTheSend:
    """A mailer that, once the real server accepted the first message, stops PostgreSQL for
    ``outage`` seconds (in the background, so the marks meet the outage)."""

    def __init__(self, mailer: SmtpMailer, server: PrivatePostgres, outage: float) -> None:
        self.sender = mailer.sender
        self._mailer, self._server, self._outage = mailer, server, outage
        self.restarted = asyncio.Event()
        self._done = False
        self._restarting: asyncio.Task[None] | None = None

    async def send(self, message: EmailMessage) -> None:
        await self._mailer.send(message)
        if not self._done:
            self._done = True
            await self._server.stop("fast")
            asyncio.get_running_loop().call_later(self._outage, self._restart)

    def _restart(self) -> None:
        async def start() -> None:
            await self._server.start()
            self.restarted.set()

        self._restarting = asyncio.create_task(start())


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    """A running SMTP sink on a free port."""
    sink = await SmtpSink().start()
    yield sink
    await sink.stop()


@pytest.mark.parametrize(
    ("outage", "patience"),
    [(2.0, 15.0), (4.0, 0.5)],
    ids=["the-mark-is-retried", "the-batch-waits-and-only-marks"],
)
async def test_a_failed_sent_mark_never_sends_the_email_again(
    private_database: PrivatePostgres,
    kafka: KafkaConnection,
    sink: SmtpSink,
    unique: str,
    outage: float,
    patience: float,
) -> None:
    engine = create_engine(private_database.url())
    sessions = create_sessions(engine, DEFAULT_NAMESPACE)
    topic = await create_topic(kafka, f"test.marks.{unique}")
    smtp = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=5))
    mailer = DatabaseGoesAwayAfterTheSend(smtp, private_database, outage)
    group = f"test-marks-{unique}"
    consumer = dataclasses.replace(
        notifications_consumer(
            mailer, PlaceholderDirectory(), group=group, mark_patience_seconds=patience
        ),
        topics=(topic,),
    )
    placed, event_id, confirmed = placed_then_confirmed(uuid.uuid4())
    await produce(kafka, topic, placed, confirmed)

    try:
        async with RunningConsumer(consumer, sessions, kafka):
            await asyncio.wait_for(mailer.restarted.wait(), 60)
            await eventually(lambda: _sent(sessions, event_id), what="marked sent")
    finally:
        await engine.dispose()

    assert len(sink.with_message_id(message_id_for(event_id, "order_confirmation"))) == 1
    assert len(sink.messages) == 1
    assert await topic_size(kafka, dead_letter_topic(group)) == 0
    assert await topic_size(kafka, retry_topic(group, 1)) == 0


async def _sent(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> bool:
    try:
        status = await scalar(
            sessions,
            "SELECT status FROM notifications.notifications WHERE event_id = :id",
            id=event_id,
        )
    except (OSError, DBAPIError):  # the database is still starting
        return False
    return bool(status == "sent")

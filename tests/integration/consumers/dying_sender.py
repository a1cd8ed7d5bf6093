"""A notifications consumer whose SMTP server never answers: it claims a notification and then
hangs in the send, until the test kills it with SIGKILL (a sender dying mid-send).

Run as ``python -m tests.integration.consumers.dying_sender DATABASE_URL BOOTSTRAP TOPIC GROUP``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys

from consumers.notifications import SmtpConfig, SmtpMailer, notifications_consumer
from consumers.runtime import ConsumerRuntime
from foundation.database import create_engine, create_sessions
from foundation.kafka import KafkaConnection
from foundation.namespace import DEFAULT_NAMESPACE
from producers import create_producer
from tests.integration.consumers.support import FAST
from tests.support.recipients import PlaceholderDirectory


def _never_greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept the connection and say nothing: the client waits for the SMTP greeting."""


async def main(database_url: str, bootstrap: str, topic: str, group: str) -> None:
    server = await asyncio.start_server(_never_greet, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    mailer = SmtpMailer(SmtpConfig(port=port, timeout_seconds=600))
    consumer = notifications_consumer(mailer, PlaceholderDirectory(), group=group)
    consumer = dataclasses.replace(consumer, topics=(topic,))
    kafka = KafkaConnection(bootstrap_servers=bootstrap)
    producer = create_producer(kafka)
    await producer.start()
    sessions = create_sessions(create_engine(database_url), DEFAULT_NAMESPACE)
    await ConsumerRuntime(consumer, sessions, kafka, producer, policy=FAST).run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))

"""``orderflow consumers status``: dead letters, retry tiers and the last error, as JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications import notifications_consumer
from events import KafkaRecord
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from orderflow.wiring.deployment import smtp_mailer
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    order_placed,
    produce,
    read_all,
)
from tests.support.recipients import PlaceholderDirectory

ORDERFLOW = Path(sys.executable).parent / "orderflow"


async def test_status_shows_dead_letters_tiers_and_the_last_error(
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    settings: Settings,
    unique: str,
) -> None:
    prefix = f"test-{unique}-"
    namespace = settings.deployment.namespace()  # the session's: its topics exist
    topic = await create_topic(kafka, f"test.status.{unique}")
    consumer = dataclasses.replace(
        notifications_consumer(smtp_mailer(settings), PlaceholderDirectory()),
        name=namespace.group(f"{prefix}notifications"),
        topics=(topic,),
    )
    _, valid = order_placed()
    await produce(kafka, topic, KafkaRecord(topic, b"k", b"{oops", valid.headers))
    async with RunningConsumer(consumer, sessions, kafka):
        await read_all(kafka, consumer.dead_letter_topic, 1)

    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": namespace.topic_prefix,
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": prefix,
    }
    done = await _orderflow(env, "consumers", "status", "--json", "--group", "notifications")
    assert done.returncode == 0, done.stderr
    (status,) = json.loads(done.stdout)
    assert status["group"] == namespace.group(f"{prefix}notifications")
    assert status["dead_letters"] == 1
    assert status["retry_tiers"] == {"1": 0, "2": 0, "3": 0}
    assert status["last_error"]["reason"] == "cannot_decode"
    assert status["last_error"]["topic"] == topic
    assert namespace.topic("orders.order.v1") in {p["topic"] for p in status["partitions"]}

    human = await _orderflow(env, "consumers", "status", "--group", "nope")
    assert human.returncode == 2
    assert "unknown consumer 'nope'" in human.stderr


async def _orderflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a thread, so the event loop (and its fixtures) stay responsive."""
    return await asyncio.to_thread(
        subprocess.run,
        [str(ORDERFLOW), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

"""Running the loyalty example as a process, and watching its consumer group catch up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation.kafka import KafkaConnection
from tests.kafka_helpers import end_offsets

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def loyalty_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m loyalty`` from ``examples/loyalty``; stopped with SIGTERM afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "loyalty"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "examples" / "loyalty"), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "started successfully" in log.read_text(), process, log)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _wait_for(ready: object, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while not ready():  # type: ignore[operator]
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"loyalty did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


async def start_group_at_end(kafka: KafkaConnection, group: str, topic: str) -> None:
    """Commit the topic's end offsets for ``group``: it starts reading from now on."""
    offsets = await end_offsets(kafka, topic)
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def wait_caught_up(
    kafka: KafkaConnection, group: str, target: dict[TopicPartition, int], timeout: float = 60
) -> None:
    """Until ``group`` has committed at least ``target`` on every partition."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            committed = await admin.list_consumer_group_offsets(group)
            behind = {
                tp: end
                for tp, end in target.items()
                if tp not in committed or committed[tp].offset < end
            }
            if not behind:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{group} is still behind on {behind} ({committed})")
            await asyncio.sleep(0.2)
    finally:
        await admin.close()


async def delete_topic(kafka: KafkaConnection, topic: str) -> None:
    """Remove a topic this test made: a shared broker keeps every topic until deleted."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()


async def wait_published(
    sessions: async_sessionmaker[AsyncSession], keys: list[str], timeout: float = 60
) -> None:
    """Until the relay has published every outbox row of the aggregates ``keys``."""
    query = text(
        "SELECT (SELECT count(*) FROM outbox.pending WHERE key = ANY(:keys))"
        " + (SELECT count(*) FROM outbox.parked WHERE key = ANY(:keys)),"
        " (SELECT count(*) FROM outbox.events WHERE key = ANY(:keys))"
    )
    deadline = time.monotonic() + timeout
    while True:
        async with sessions() as session:
            pending, total = (await session.execute(query, {"keys": keys})).one()
        if total and not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending} of {total} outbox rows still unpublished")
        await asyncio.sleep(0.2)

"""Run an in-process relay in the background (or until a condition holds); tell whether relays
share the lanes fairly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox import LANES, OutboxRelay, RelayOptions
from outbox.inspect import lane_holders
from outbox.lanes import fair_share
from producers import create_producer
from tests.integration.relay.relay_processes import RelayProcess
from tests.kafka_helpers import run_until


async def relay_until(
    engine: AsyncEngine, kafka: KafkaConnection, condition: Callable[[], Awaitable[bool]]
) -> None:
    """Run an :class:`OutboxRelay` in this event loop until ``condition()`` holds."""
    producer = create_producer(kafka)
    await producer.start()
    try:
        await run_until(OutboxRelay(engine, producer, poll_interval=0.2).run, condition)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def relay_running(
    engine: AsyncEngine,
    kafka: KafkaConnection,
    options: RelayOptions | None = None,
    request_timeout_ms: int = 15_000,
) -> AsyncIterator[OutboxRelay]:
    """An :class:`OutboxRelay` running in this event loop until the block ends."""

    def new_producer() -> AIOKafkaProducer:
        return create_producer(kafka, request_timeout_ms=request_timeout_ms)

    relay = OutboxRelay(
        engine,
        create_producer(kafka, request_timeout_ms=request_timeout_ms),
        batch_size=200,
        poll_interval=0.2,
        options=options or RelayOptions(lane_refresh_seconds=0.3),
        producer_factory=new_producer,
    )
    await relay.producer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield relay
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await relay.producer.stop()


async def lanes_shared_by(engine: AsyncEngine, processes: list[RelayProcess]) -> bool:
    """Every lane held, each process within its fair share (owners named by their pid)."""
    async with engine.connect() as conn:
        holders = await lane_holders(conn)
    counts = {p.pid: sum(f"pid={p.pid}" in h.application_name for h in holders) for p in processes}
    share = fair_share(LANES, len(processes))
    return len(holders) == LANES and all(0 < n <= share for n in counts.values())

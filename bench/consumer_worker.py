"""One process of the consumer benchmark's scale-out run (``bench.consumer --processes N``).

    python -m bench.consumer_worker TOPIC GROUP DATABASE_URL BATCH_SIZE

Started by :mod:`bench.consumer_scale`, not by hand. It imports the application, prints
``ready``, then waits for a line on stdin before it joins ``GROUP`` (so that the processes of
one group join at once, and start-up is not measured). It runs the consumer runtime over
``TOPIC`` with a no-op handler (the same as the single-process benchmark's: decode, validate,
inbox rows, offsets) until stdin closes, and prints what it handled as one JSON line:
``{"records": n, "first": t, "last": t, "cpu_seconds": s}``. The times are
``time.monotonic()``, which on Linux is CLOCK_MONOTONIC: one clock for every process on the
machine, so the parent can take the earliest first and the latest last record across them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import events.schemas  # noqa: F401  (registers every event)
from consumers.runtime import Consumer, ConsumerRuntime, Handler, MessageContext, RetryPolicy
from events.schemas import OrderPlaced
from foundation.database import create_engine, create_sessions
from foundation.namespace import DEFAULT_NAMESPACE
from orderflow.logging import configure_logging
from orderflow.settings import Settings, get_settings
from producers import create_producer


@dataclass
class Handled:
    """What this process's handler saw."""

    records: int = 0
    first: float = 0.0
    last: float = 0.0
    cpu_first: float = 0.0
    cpu_last: float = 0.0

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        now = time.monotonic()
        if not self.records:
            self.first, self.cpu_first = now, time.process_time()
        self.records += 1
        self.last, self.cpu_last = now, time.process_time()

    def report(self) -> dict[str, float]:
        """The JSON line the parent reads."""
        return {
            "records": self.records,
            "first": self.first,
            "last": self.last,
            "cpu_seconds": round(self.cpu_last - self.cpu_first, 4),
        }


@asynccontextmanager
async def running(
    settings: Settings,
    database_url: str,
    group: str,
    topic: str,
    handler: Handler,
    batch_size: int,
) -> AsyncIterator[None]:
    """The consumer runtime over ``topic`` as ``group`` with ``handler``, on an engine and a
    producer of its own, while the block runs; then it stops (its last batch commits first)
    and everything is closed. The single-process benchmark runs it the same way."""
    engine = create_engine(database_url, pool_size=settings.database.pool_size)
    producer = create_producer(settings.kafka.connection())
    await producer.start()
    runtime = ConsumerRuntime(
        Consumer(group, (topic,), {OrderPlaced: handler}),
        create_sessions(engine, DEFAULT_NAMESPACE),
        settings.kafka.connection(),
        producer,
        policy=RetryPolicy(batch_size=batch_size),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    try:
        yield
        stop.set()
        await task  # leaves the group; the last batch commits first
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()
        await engine.dispose()


async def _line() -> str:
    return await asyncio.to_thread(sys.stdin.readline)


async def consume(topic: str, group: str, database_url: str, batch_size: int) -> Handled:
    """Wait for the go line, then consume until stdin closes (or the parent is gone)."""
    settings = get_settings()
    handled = Handled()
    if not await _line():  # closed before the go: nothing to measure
        return handled
    async with running(settings, database_url, group, topic, handled, batch_size):
        await _line()  # EOF: the parent saw every record committed
    return handled


def main() -> None:
    """Command line: topic, group, database URL, batch size; prints one JSON line."""
    topic, group, database_url, batch_size = sys.argv[1:5]
    configure_logging("WARNING")  # on stderr: stdout carries the report only
    print("ready", flush=True)  # imported: what is left to start is the runtime itself
    handled = asyncio.run(consume(topic, group, database_url, int(batch_size)))
    print(json.dumps(handled.report()), flush=True)


if __name__ == "__main__":
    main()

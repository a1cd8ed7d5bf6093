"""The outbox relay: publish committed outbox rows to Kafka, at least once, in key order.

Design, in short:

* Rows are spread over ``LANES`` lanes by a hash of their key. A relay publishes only the
  lanes it holds a PostgreSQL session advisory lock for, so one aggregate's rows are only
  ever published by one relay at a time, oldest first — several relays never reorder a key.
* Rows are claimed ``FOR UPDATE SKIP LOCKED`` and marked published in the same transaction,
  only after the broker acknowledged them. A crash in between publishes a row again (a
  duplicate, which consumers dedupe by event id), never zero times.
* A statement trigger NOTIFYs ``outbox_events`` on commit and wakes the relay at once; a poll
  every ``poll_interval`` seconds covers lost notifications and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy.ext.asyncio import AsyncEngine

from outbox import metrics
from outbox.claim import ClaimedRow, claim_batch, mark_published, park
from outbox.lanes import LaneLocks
from producers import publish_records

log = structlog.get_logger("orderflow.outbox.relay")


class OutboxRelay:
    """Publishes the outbox of one database until ``stop`` is set."""

    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._lanes = LaneLocks(_asyncpg_dsn(engine))

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; survives broker and database outages."""
        backoff = _Backoff()
        while not stop.is_set():
            try:
                await self._lanes.refresh(self._on_notify)
                published = await self.relay_batch()
                backoff.reset()
            except (KafkaError, OSError, asyncpg.PostgresError) as exc:
                metrics.PUBLISH_ERRORS.labels(kind=type(exc).__name__).inc()
                log.warning("relay_retrying", error=repr(exc), delay=backoff.delay)
                await _sleep_or_stop(stop, backoff.next())
                continue
            if published < self._batch_size:
                await self._wait_for_work(stop)
        await self._lanes.release()

    async def relay_batch(self) -> int:
        """Publish one batch from the held lanes; returns the number of rows handled."""
        lanes = self._lanes.held
        if not lanes:
            return 0
        async with self._engine.begin() as conn:
            rows = await claim_batch(conn, lanes, self._batch_size)
            if not rows:
                return 0
            published, parked = await self._publish(rows)
            await mark_published(conn, [r.id for r in published])
            for row, error in parked:
                await park(conn, [row.id], error)
        self._observe(published)
        return len(rows)

    async def _publish(
        self, rows: Sequence[ClaimedRow]
    ) -> tuple[list[ClaimedRow], list[tuple[ClaimedRow, str]]]:
        results = await publish_records(self._producer, [r.record for r in rows])
        published: list[ClaimedRow] = []
        parked: list[tuple[ClaimedRow, str]] = []
        for row, result in zip(rows, results, strict=True):
            if not isinstance(result, BaseException):
                published.append(row)
            elif isinstance(result, KafkaError) and not result.retriable:
                parked.append((row, repr(result)))
                metrics.PARKED.labels(topic=row.record.topic).inc()
                log.error("outbox_row_parked", outbox_id=row.id, error=repr(result))
            else:
                raise result
        return published, parked

    def _observe(self, published: Sequence[ClaimedRow]) -> None:
        metrics.BATCH_SIZE.observe(len(published))
        now = time.time()
        for row in published:
            metrics.PUBLISHED.labels(topic=row.record.topic).inc()
            metrics.COMMIT_TO_ACK.observe(max(0.0, now - row.created_at.timestamp()))

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        self._wakeup.clear()
        waiters = {asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(
            waiters, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()


class _Backoff:
    """Exponential backoff with a cap: 0.1 s, 0.2 s, … 10 s."""

    def __init__(self) -> None:
        self.delay = 0.1

    def next(self) -> float:
        current, self.delay = self.delay, min(self.delay * 2, 10.0)
        return current

    def reset(self) -> None:
        self.delay = 0.1


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _asyncpg_dsn(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

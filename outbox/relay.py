"""The outbox relay: publish committed outbox rows to Kafka, at least once, in key order.

Design, in short:

* **Lanes.** Rows are spread over ``LANES`` lanes by a hash of their key. A relay publishes
  only the lanes it holds a PostgreSQL session advisory lock for, and holds at most its fair
  share of them (:mod:`outbox.lanes`): one key is published by one relay at a time, oldest
  row first, while different lanes publish in parallel on 2-4 relays.
* **At least once.** Rows are marked published only after the broker acknowledged them
  (idempotent producer, ``acks=all``). A crash in between publishes a row again — a duplicate
  consumers dedupe by event id (``ce_id``), never a gap.
* **Pipeline.** Up to ``pipeline_depth`` claimed batches are in flight: the next claim
  (excluding the rows in flight) overlaps the broker's acknowledgements of the previous one,
  and up to ``settle_concurrency`` acknowledged batches are marked meanwhile
  (:mod:`outbox.pipeline`). Rows travel in record batches per partition
  (:mod:`outbox.batches`); one producer keeps one request per broker in flight, so one
  partition stays in send order.
* **Parking.** A record the broker can never accept (too large, say) is parked with its
  error; later rows of its key wait behind it (claiming skips keys with a parked row) until an
  operator runs ``orderflow outbox unpark``; other keys keep flowing.
* **Failures.** Kafka or PostgreSQL errors back off exponentially (tenacity) and retry the
  step; nothing is marked that was not acknowledged.
* **Wake-up.** A statement trigger NOTIFYs ``outbox_events`` on commit and wakes the relay at
  once; a poll every ``poll_interval`` seconds covers lost notifications and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_when_event_set,
    wait_exponential_jitter,
)

from outbox import metrics
from outbox.claim import claim_batch
from outbox.lanes import LaneLocks
from outbox.options import RelayOptions
from outbox.pipeline import SettlePipeline
from outbox.publish import ProducerBroken, SentBatch, send_batch
from outbox.retention import run_housekeeping
from outbox.settle import settle_batch

log = structlog.get_logger("orderflow.outbox.relay")

RETRYABLE = (
    KafkaError,
    OSError,
    TimeoutError,
    DBAPIError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a lock connection the server is closing (outbox.lanes)
)


class OutboxRelay:
    """Publishes the outbox of one database until ``stop`` is set."""

    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        options: RelayOptions | None = None,
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        """Prepare a relay; nothing runs until :meth:`run`.

        Args:
            engine: the database holding ``outbox.events``.
            producer: a started idempotent producer (``producers.create_producer``).
            batch_size: rows claimed per batch.
            poll_interval: seconds between polls when no notification arrives.
            options: tuning knobs; defaults suit most deployments.
            producer_factory: builds a replacement producer when the broker broke the
                current one's idempotence state; without it the relay raises
                :class:`ProducerBroken`.
        """
        self._engine = engine
        self.producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._options = options or RelayOptions()
        self._producer_factory = producer_factory
        self._wakeup = asyncio.Event()
        self._lanes = LaneLocks(_asyncpg_dsn(engine))
        # Rows of a record batch the broker refused as a whole: sent alone until settled.
        self._suspects: set[int] = set()
        self._pipeline = SettlePipeline(engine, self._options.settle_concurrency, self._suspects)
        self._next_refresh = 0.0
        # The last claim found only rows of keys still in flight: claim again once they land.
        self._blocked = False

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; survives broker and database outages."""
        housekeeping = asyncio.create_task(run_housekeeping(self._engine, self._options, stop))
        try:
            while not stop.is_set():
                try:
                    claimed = await self._retrying(stop)
                except RETRYABLE:
                    if stop.is_set():
                        break
                    raise
                if claimed == 0 and not self._pipeline and not self._blocked:
                    await self._wait_for_work(stop)
            await self._pipeline.settle_all()
        finally:
            await self._abandon()
            await self._lanes.release()
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping

    async def _retrying(self, stop: asyncio.Event) -> int:
        # A fresh retry state per step: the backoff starts small again after any success.
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_exponential_jitter(multiplier=0.1, max=self._options.max_backoff_seconds),
            stop=stop_when_event_set(stop),  # type: ignore[arg-type]
            sleep=lambda seconds: _sleep_or_stop(stop, seconds),
            before_sleep=_log_retry,
            reraise=True,
        )
        return await retrying(self.relay_step)

    async def relay_step(self) -> int:
        """Claim and send one batch, settle the oldest in flight; returns rows claimed."""
        try:
            return await self._step()
        except RETRYABLE as exc:
            metrics.PUBLISH_ERRORS.labels(kind=type(exc).__name__).inc()
            await self._abandon()
            if isinstance(exc, ProducerBroken):
                await self._replace_producer()
            raise

    async def _step(self) -> int:
        loop = asyncio.get_running_loop()
        if self._lanes.wants_refresh():
            await self._pipeline.settle_all()  # the lanes are gone: finish what was sent
        if loop.time() >= self._next_refresh or self._lanes.wants_refresh():
            # Lanes are given back only with nothing in flight; taking lanes needs no pause.
            await self._lanes.refresh(self._on_notify, before_give_back=self._pipeline.settle_all)
            self._next_refresh = loop.time() + self._options.lane_refresh_seconds
        had_in_flight = bool(self._pipeline)
        claimed = await self._claim_and_send()
        self._blocked = claimed == 0 and had_in_flight
        waiting = self._pipeline.waiting
        if waiting and (len(waiting) >= self._options.pipeline_depth or claimed == 0):
            await self._pipeline.settle_oldest()
            if claimed == 0:
                await self._pipeline.settled()
        return claimed

    async def _abandon(self) -> None:
        await self._pipeline.abandon(RETRYABLE)

    async def _claim_and_send(self) -> int:
        if not self._lanes.held:
            return 0
        # Rows in flight or being marked are not claimed again (that would send them twice),
        # nor are later rows of their keys (they could overtake a batch that fails).
        skip, busy_keys = self._pipeline.ids(), self._pipeline.keys()
        # Cleared before claiming: a notification during the claim still wakes the next wait.
        self._wakeup.clear()
        async with self._engine.connect() as conn:
            rows = await claim_batch(conn, self._lanes.held, self._batch_size, skip, busy_keys)
        if not rows:
            return 0
        batch = await send_batch(
            self.producer, rows, self._options.max_record_bytes, self._suspects
        )
        self._pipeline.waiting.append(batch)
        if batch.parked:
            # Parked now, before the next claim, so that it already holds the key back.
            await settle_batch(self._engine, SentBatch(parked=batch.parked), observe=False)
            batch.parked = []
        if batch.send_error is not None:
            raise batch.send_error
        return len(rows)

    async def _replace_producer(self) -> None:
        if self._producer_factory is None:
            raise ProducerBroken("the idempotent producer must be replaced; no factory given")
        log.warning("outbox_producer_replaced")
        old, self.producer = self.producer, self._producer_factory()
        with contextlib.suppress(KafkaError, OSError, TimeoutError):
            await asyncio.wait_for(old.stop(), 30)
        await self.producer.start()

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        waiters = {asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(
            waiters, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else None
    log.warning("relay_retrying", error=repr(error), attempt=state.attempt_number, delay=delay)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _asyncpg_dsn(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

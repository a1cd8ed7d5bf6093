"""The outbox relay: publish committed outbox rows to Kafka, at least once, in key order.

Design, in short:

* **Lanes.** Rows are spread over ``LANES`` lanes by a hash of their key. A relay publishes
  only the lanes it holds a PostgreSQL session advisory lock for, and holds at most its fair
  share of them (:mod:`outbox.lanes`): one key is published by one relay at a time, oldest
  row first, while different lanes publish in parallel on 2-4 relays.
* **At least once.** Rows are marked published only after the broker acknowledged them
  (idempotent producer, ``acks=all``). A crash in between publishes a row again — a duplicate
  consumers dedupe by event id (``ce_id``), never a gap.
* **Pipeline.** Up to ``pipeline_depth`` claimed batches wait for the broker at once: the
  next claim (excluding the rows in flight) overlaps the acknowledgements of the previous
  one; with a backlog it is issued even before the previous batch is packed and sent, so
  that PostgreSQL claims while Python packs (a lane given back or lost drops that claim).
  Each batch is marked published in a task of its own, up to ``settle_concurrency`` at
  once (:mod:`outbox.pipeline`). A claim takes *runs* of each key's oldest rows
  (:mod:`outbox.claim`), so that a few hot keys do not leave every batch waiting for the
  previous one. Rows travel in record batches per partition (:mod:`outbox.batches`); one
  producer keeps one request per broker in flight, so one partition stays in send order.
* **Parking.** A record the broker can never accept (too large, say) is parked with its
  error; later rows of its key wait behind it (claiming skips keys with a parked row) until an
  operator runs ``orderflow outbox unpark``; other keys keep flowing.
* **Failures.** Kafka or PostgreSQL errors back off exponentially (tenacity) and retry the
  step; nothing is marked that was not acknowledged. A topic the broker lacks holds only its
  own rows: they wait, left out of the claims with a backoff of their own, while every
  other topic flows (:mod:`outbox.waiting`).
* **Wake-up.** A statement trigger NOTIFYs ``outbox_events`` with the lanes it enqueued on
  commit; the relay holding them wakes at once and claims those lanes only
  (:mod:`outbox.wakeups`); a poll every ``poll_interval`` seconds, claiming every held lane,
  covers lost notifications and reconnects.
  From the notification to the producer's send there is one round trip (the claim, on the
  relay's own connection) and no linger: the relay batches by claiming.
* **Publish state.** Marking a row published deletes its narrow ``outbox.pending`` row; the
  event row itself is never rewritten (:mod:`outbox.tables`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence

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
from outbox.claim import ClaimedRow, claim_batch
from outbox.connections import asyncpg_dsn, relay_pool
from outbox.lanes import LaneLocks
from outbox.options import RelayOptions
from outbox.pipeline import SettlePipeline
from outbox.publish import ProducerBroken, send_batch
from outbox.retention import run_housekeeping
from outbox.settle import park_now
from outbox.vacuum import DeadRows, keep_pending_lean
from outbox.waiting import WaitingTopics
from outbox.wakeups import DirtyLanes

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
            engine: the database holding the outbox.
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
        self._dirty = DirtyLanes()
        self._lanes = LaneLocks(asyncpg_dsn(engine))
        # Rows of a record batch the broker refused as a whole: sent alone until settled.
        self._suspects: set[int] = set()
        # Topics the broker lacked: their rows wait (left out of claims for a while).
        self._waiting = WaitingTopics(self._options.max_backoff_seconds)
        self._pipeline: SettlePipeline | None = None
        self._next_refresh = 0.0
        # The last claim left rows of busy keys behind: claim again once a batch is
        # acknowledged. The pipeline was full: wait for room before claiming again.
        self._awaits_progress = False
        self._full = False
        # The next batch, claimed while the previous one was being sent (see _claim_and_send).
        self._prefetched: asyncio.Future[tuple[list[ClaimedRow], bool]] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; survives broker and database outages."""
        pool = await relay_pool(self._engine, self._options.settle_concurrency + 2)
        dead = DeadRows()
        self._pipeline = SettlePipeline(
            pool, self._options.settle_concurrency, self._suspects, dead
        )
        housekeeping = asyncio.gather(
            run_housekeeping(self._engine, self._options, stop),
            keep_pending_lean(self._engine, dead, stop),
        )
        try:
            while not stop.is_set():
                try:
                    more = await self._retrying(stop)
                except RETRYABLE:
                    if stop.is_set():
                        break
                    raise
                if more:
                    self._dirty.mark_all()
                else:
                    await self._wait_for_work(stop)
            await self._pipeline.settle_all()
        finally:
            await self._abandon()
            await self._lanes.release()
            await pool.close()
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping

    async def _retrying(self, stop: asyncio.Event) -> bool:
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

    async def relay_step(self) -> bool:
        """Claim and send one batch when there is room; returns whether to go on at once
        (a lane had more rows than one batch takes)."""
        try:
            return await self._step()
        except RETRYABLE as exc:
            self._dirty.mark_all()
            metrics.PUBLISH_ERRORS.labels(kind=type(exc).__name__).inc()
            await self._abandon()
            if isinstance(exc, ProducerBroken):
                await self._replace_producer()
            raise

    async def _step(self) -> bool:
        pipeline = self._require_pipeline()
        pipeline.raise_failures()
        loop = asyncio.get_running_loop()
        if self._lanes.wants_refresh():
            await self._forget_prefetched()  # claimed under a lease that is gone
            await pipeline.settle_all()  # the lanes are gone: finish what was sent
        if loop.time() >= self._next_refresh or self._lanes.wants_refresh():
            # Lanes are given back only with nothing in flight; taking lanes needs no pause.
            before = set(self._lanes.held)
            await self._lanes.refresh(self._on_notify, before_give_back=self._before_give_back)
            self._next_refresh = loop.time() + self._options.lane_refresh_seconds
            if not before.issuperset(self._lanes.held):
                self._dirty.mark_all()  # a new lane may hold anything
        # No await from here to the decision: no acknowledgement can slip in between.
        pipeline.raise_failures()
        self._full = False
        if not self._lanes.held:
            return False
        if not self._has_room(pipeline):
            # Wait for room (an acknowledgement or a settled batch), not for notifications.
            self._full = True
            pipeline.progress.clear()
            return False
        return await self._claim_and_send(pipeline)

    def _has_room(self, pipeline: SettlePipeline) -> bool:
        depth = self._options.pipeline_depth
        return (
            pipeline.unacked() < depth and len(pipeline) < depth + self._options.settle_concurrency
        )

    async def _claim_and_send(self, pipeline: SettlePipeline) -> bool:
        claim: Awaitable[tuple[list[ClaimedRow], bool]] | None = self._prefetched
        self._prefetched = None
        if claim is None:
            claim = self._start_claim(pipeline)
        if claim is None:
            return False
        rows, more = await claim
        if not rows:
            return False
        if more:
            # A backlog: claim the next batch now, so that PostgreSQL runs that claim while
            # this batch is packed and sent. It excludes this batch as if already sent.
            self._dirty.mark_all()
            ahead = self._start_claim(pipeline, rows)
            self._prefetched = asyncio.ensure_future(ahead) if ahead is not None else None
        claimed = time.perf_counter()
        batch = await send_batch(
            self.producer, rows, self._options.max_record_bytes, self._suspects
        )
        metrics.SEND_SECONDS.observe(time.perf_counter() - claimed)
        if self._waiting:
            self._waiting.found(batch.topics)
        if batch.waiting:
            for topic, count in Counter(r.record.topic for r in batch.waiting).items():
                self._waiting.missing(topic, count)
        pipeline.add(batch)
        if batch.parked:
            await park_now(pipeline.pool, batch.parked)
            batch.parked = []
        if batch.send_error is not None:
            raise batch.send_error
        return more

    def _start_claim(
        self, pipeline: SettlePipeline, unsent: Sequence[ClaimedRow] = ()
    ) -> Coroutine[None, None, tuple[list[ClaimedRow], bool]] | None:
        """The claim of the dirty held lanes, to await (a lone commit: no task in between) or
        to run ahead in a task; ``unsent`` is a batch claimed but not yet in the pipeline:
        excluded like the pipeline's."""
        # Rows in flight or being marked are not claimed again (that would send them twice),
        # nor are later rows of their keys (they could overtake a batch that fails).
        skip = [*pipeline.ids(), *(row.id for row in unsent)]
        busy_keys = sorted({*pipeline.keys(), *(row.key for row in unsent)})
        # Cleared before claiming: a notification or an ack during the claim wakes the wait.
        lanes = self._dirty.take(self._lanes.held)
        pipeline.progress.clear()
        self._awaits_progress = bool(busy_keys)
        # Rows of busy keys are left behind: claim their lanes again once they are free.
        self._dirty.add(pipeline.busy_lanes() | {row.lane for row in unsent})
        if not lanes:
            return None
        return self._claim(pipeline, lanes, skip, busy_keys, self._waiting.excluded())

    async def _claim(
        self,
        pipeline: SettlePipeline,
        lanes: list[int],
        skip: list[int],
        busy_keys: list[str],
        waiting_topics: list[str],
    ) -> tuple[list[ClaimedRow], bool]:
        started = time.perf_counter()
        async with pipeline.pool.acquire() as conn:
            claimed = await claim_batch(
                conn, lanes, self._batch_size, skip, busy_keys, waiting_topics
            )
        metrics.CLAIM_SECONDS.observe(time.perf_counter() - started)
        return claimed

    async def _before_give_back(self) -> None:
        """Nothing of the lanes given back may be sent after: drop the claim made ahead and
        finish what was sent."""
        await self._forget_prefetched()
        await self._require_pipeline().settle_all()

    async def _forget_prefetched(self) -> None:
        """Drop a claim made ahead: its rows stay pending and are claimed again."""
        claim, self._prefetched = self._prefetched, None
        if claim is None:
            return
        await asyncio.wait([claim])  # finishes the claim; does not cancel it if we are
        if not claim.cancelled():
            claim.exception()  # its error, if any, is of no interest any longer

    def _require_pipeline(self) -> SettlePipeline:
        if self._pipeline is None:
            raise RuntimeError("the relay is not running")
        return self._pipeline

    async def _abandon(self) -> None:
        await self._forget_prefetched()
        if self._pipeline is not None:
            await self._pipeline.abandon(RETRYABLE)

    async def _replace_producer(self) -> None:
        if self._producer_factory is None:
            raise ProducerBroken("the idempotent producer must be replaced; no factory given")
        log.warning("outbox_producer_replaced")
        old, self.producer = self.producer, self._producer_factory()
        with contextlib.suppress(KafkaError, OSError, TimeoutError):
            await asyncio.wait_for(old.stop(), 30)
        await self.producer.start()

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._dirty.on_notify(payload)

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        """Until a commit is notified (or, when the pipeline is full, until it has room), the
        pipeline reports trouble or (when the last claim left rows to it) progress, ``stop``,
        or the poll interval passes."""
        pipeline = self._require_pipeline()
        events = [stop, pipeline.trouble]
        if not self._full:
            events.append(self._dirty.notified)
        if self._full or self._awaits_progress:
            events.append(pipeline.progress)
        if any(event.is_set() for event in events):
            return
        waiters = [asyncio.ensure_future(event.wait()) for event in events]
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()
        if not done:
            self._dirty.mark_all()  # the poll: covers a lost notification


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else None
    log.warning("relay_retrying", error=repr(error), attempt=state.attempt_number, delay=delay)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)

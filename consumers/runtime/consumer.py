"""The consume loop: poll, hand each partition's batch to its worker, repeat."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from functools import partial

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.errors import describe
from consumers.runtime.group_topics import ensure_group_topics
from consumers.runtime.handlers import Consumer
from consumers.runtime.heap import prepare_heap
from consumers.runtime.offsets import OffsetCommitter
from consumers.runtime.pacing import PartitionHolds
from consumers.runtime.partition import BatchMemo, BatchResult, PartitionBatch
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.quarantine import QuarantineGauge, refresh_unresolved
from consumers.runtime.rebalance import FinishInFlight, Generations
from consumers.runtime.startup import until_infrastructure_answers
from consumers.runtime.topics import retry_topics
from consumers.runtime.wait_records import WaitReport
from consumers.runtime.waiting import BatchAbandoned, InfrastructureWaits
from consumers.runtime.workers import PartitionWorkers
from foundation.kafka import KafkaConnection

log = structlog.get_logger("orderflow.consumers")

Fetched = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]

POLL_SECONDS = 0.5
FETCH_MAX_WAIT_MS = 100
# While some partition is not polled for lack of room, how often the others are polled.
BUSY_POLL_SECONDS = 0.05


class ConsumerRuntime:
    """Runs one :class:`Consumer` (its main topics and its retry tiers) until ``stop`` is set.

    Offsets are committed per partition only after every record up to them was handled and
    its transaction committed (or was sent to a retry tier or the DLQ and acknowledged), so a
    crash re-delivers and the inbox turns the re-delivery into a counted no-op.
    """

    def __init__(
        self,
        consumer: Consumer,
        sessions: async_sessionmaker[AsyncSession],
        connection: KafkaConnection,
        producer: AIOKafkaProducer,
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._consumer = consumer
        self._sessions = sessions
        self._connection = connection
        self._policy = policy or RetryPolicy()
        self._batch = PartitionBatch(consumer, sessions, producer, self._policy)
        self._holds = PartitionHolds()
        self._stalls: dict[TopicPartition, float] = {}
        self._reports = WaitReport(sessions, consumer.name)
        # Set while partitions are given up (a revocation, a stop): batches end at their next
        # record, infrastructure waits give up.
        self._cutoff = asyncio.Event()
        self._generations = Generations()
        self._waits = InfrastructureWaits(consumer.name, self._policy, self._reports, self._cutoff)
        self._gauges = QuarantineGauge(sessions, consumer.name)
        self._poll_failures = 0

    @property
    def topics(self) -> list[str]:
        """What the group reads: its main topics and its own retry tiers."""
        return [*self._consumer.topics, *retry_topics(self._consumer.name, self._policy.tiers)]

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the batches in flight end (within
        ``policy.stop_grace_seconds``) and commit what is durable first.

        An unreachable broker or database at start is waited out like any other outage.
        """
        started = await until_infrastructure_answers(
            stop, self._policy, self._consumer.name, "create_group_topics", self._prepare
        )
        if not started:
            return
        prepare_heap()
        kafka = AIOKafkaConsumer(
            **self._connection.client_options(),
            group_id=self._consumer.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self._policy.batch_size,
            # The retry tiers' partitions are usually empty. While the main partitions still
            # have fetched records waiting, aiokafka fetches only the others from the broker,
            # and a fetch of empty partitions holds the connection for the whole wait: keep
            # it short, or every backlog stalls for the default 500 ms per fetch.
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        committer = OffsetCommitter(kafka, self._generations)
        workers = PartitionWorkers(
            partial(self._handle_partition, kafka, committer),
            room=self._policy.max_batch_records,
            max_batch=self._policy.max_batch_records,
        )
        finish = partial(self._finish_in_flight, workers, committer)
        listener = FinishInFlight(
            self._consumer.name,
            self._generations,
            partial(finish, stopping=False),
            partial(self._forget, committer),
        )
        kafka.subscribe(topics=self.topics, listener=listener)
        if not await until_infrastructure_answers(
            stop, self._policy, self._consumer.name, "start_consumer", kafka.start
        ):
            return
        try:
            while not stop.is_set():
                await self._poll_or_wait(kafka, workers, stop)
            await finish(stopping=True)
        except BaseException:
            workers.cancel()  # a hard stop: what is in flight never commits, so it comes again
            raise
        finally:
            await kafka.stop()

    async def _finish_in_flight(
        self, workers: PartitionWorkers, committer: OffsetCommitter, *, stopping: bool
    ) -> None:
        """End the batches in flight and commit what is durable.

        The cutoff makes every batch end at its next record (committing what it applied) and
        every infrastructure wait give up. When the process stops, a batch still running after
        ``policy.stop_grace_seconds`` (a handler that hangs) is cancelled, uncommitted, as in
        a crash; a revocation waits for it instead (cancelling an effect halfway, an email
        being sent, would leave its outcome unknown in a process that lives on). The last
        commits get the grace too: what is not committed is re-read by the next owner.
        """
        grace = self._policy.stop_grace_seconds
        self._cutoff.set()
        try:
            cancelled = await workers.drain(grace if stopping else None)
            if cancelled:
                log.warning("batches_cancelled", group=self._consumer.name, batches=cancelled)
            await committer.flush(grace)
        finally:
            self._cutoff.clear()

    async def _prepare(self) -> None:
        await ensure_group_topics(self._connection, self._consumer, self._policy.tiers)
        await self._reports.started()
        await refresh_unresolved(self._sessions, self._consumer.name)

    def _forget(self, committer: OffsetCommitter) -> None:
        """A generation is over: its holds and its offsets not committed go with it."""
        self._holds.forget()
        self._batch.forget_holds()
        committer.forget()

    async def _poll_or_wait(
        self, kafka: AIOKafkaConsumer, workers: PartitionWorkers, stop: asyncio.Event
    ) -> None:
        """Poll once; a polling error (aiokafka handles broker outages itself, so this is
        rare) is logged and polling resumes after a pause: the consumer never dies of it."""
        self._gauges.maybe_refresh()
        try:
            await self._poll_once(kafka, workers)
            self._poll_failures = 0
        except KafkaError as error:
            self._poll_failures += 1
            pause = min(self._policy.stall_backoff_max_seconds, 0.5 * 2**self._poll_failures)
            log.warning(
                "poll_failed", group=self._consumer.name, error=describe(error), retry_in=pause
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)

    async def _poll_once(self, kafka: AIOKafkaConsumer, workers: PartitionWorkers) -> None:
        failure = workers.failure()
        if failure is not None:
            raise failure
        self._holds.release_due(kafka)
        wait = self._holds.seconds_to_next(POLL_SECONDS)
        batches = await self._fetch(kafka, workers, wait)
        # What a poll returns belongs to the assignment of this moment, even if the poll began
        # before a rebalance (see consumers.runtime.rebalance): never drop it, the consumer's
        # position is past it. Only while a revocation runs (aiokafka returns nothing then)
        # would it belong to partitions about to go, re-read by their next owner.
        if self._generations.revoking:
            return
        for tp, records in batches.items():
            workers.submit(tp, records, self._generations.current)

    @staticmethod
    async def _fetch(kafka: AIOKafkaConsumer, workers: PartitionWorkers, wait: float) -> Fetched:
        """Poll the partitions whose workers have room.

        While some partition is full, poll the others without waiting and, if they had nothing,
        wait for a worker to take a batch (its partition has room again) rather than for data.
        """
        takes = workers.takes
        assigned = kafka.assignment()
        ready = workers.with_room(assigned)
        if len(ready) == len(assigned):
            everything: Fetched = await kafka.getmany(timeout_ms=int(wait * 1000))
            return everything
        # (never getmany() with no partition named: that means all of them)
        fetched: Fetched = await kafka.getmany(*ready) if ready else {}
        if not fetched:
            await workers.wait_for_take(takes, min(wait, BUSY_POLL_SECONDS))
        return fetched

    async def _handle_partition(
        self,
        kafka: AIOKafkaConsumer,
        committer: OffsetCommitter,
        tp: TopicPartition,
        records: Sequence[ConsumerRecord[bytes, bytes]],
        generation: int,
    ) -> bool:
        """Handle one batch; True when the batches waiting behind it may follow."""
        memo = BatchMemo()
        batch = partial(self._batch.process, records, memo, self._cutoff)
        try:
            result = await self._waits.run(tp, batch)
        except BatchAbandoned:
            return False  # revoked or stopping: the next owner reads these from the last commit
        except Exception as error:  # the runtime itself failed: a bug, never a record's fault
            return self._stall(kafka, tp, records[0].offset, error, generation)
        if not self._generations.is_current(generation):
            # Its partitions were revoked while it ran: the new assignment starts from the
            # commit, and a commit or a seek from here could skip what it has not handled.
            metrics.STALE_BATCHES.labels(self._consumer.name).inc()
            return False
        self._stalls.pop(tp, None)
        if result.held_offset is not None:
            self._hold(kafka, tp, result.held_offset, result.held_for)
        if result.next_offset is not None:
            committer.record(tp, result.next_offset, generation)
        self._report_lag(kafka, tp, result)
        return result.complete and result.held_offset is None

    def _hold(self, kafka: AIOKafkaConsumer, tp: TopicPartition, offset: int, delay: float) -> None:
        if tp in kafka.assignment():  # else it moved away; its next owner starts from the commit
            self._holds.hold(kafka, tp, offset, delay)

    def _stall(
        self,
        kafka: AIOKafkaConsumer,
        tp: TopicPartition,
        offset: int,
        error: Exception,
        generation: int,
    ) -> bool:
        """Put the whole batch back and try again later, backing off; nothing was committed.

        Only for an exception the runtime did not foresee (the infrastructure's are waited out
        in :mod:`consumers.runtime.waiting`, records' ones are routed): it is logged with its
        traceback and counted, for an alert, rather than taken for an outage.
        """
        delay = self._stalls.get(tp, self._policy.stall_backoff_seconds / 2) * 2
        delay = min(delay, self._policy.stall_backoff_max_seconds)
        self._stalls[tp] = delay
        if self._generations.is_current(generation):  # else the new assignment starts afresh
            self._hold(kafka, tp, offset, delay)
        metrics.STALLS.labels(self._consumer.name).inc()
        log.error(
            "batch_stalled",
            topic=tp.topic,
            partition=tp.partition,
            offset=offset,
            retry_in=delay,
            error=describe(error),
            exc_info=error,
        )
        return False

    def _report_lag(self, kafka: AIOKafkaConsumer, tp: TopicPartition, result: BatchResult) -> None:
        if tp not in kafka.assignment():
            return
        highwater = kafka.highwater(tp)
        position = result.held_offset if result.held_offset is not None else result.next_offset
        if highwater is not None and position is not None:
            metrics.LAG.labels(self._consumer.name, tp.topic, str(tp.partition)).set(
                max(0, highwater - position)
            )

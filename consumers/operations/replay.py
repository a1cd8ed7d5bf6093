"""Replay jobs: create from a plan, then run (or resume) at a steady rate.

Each batch is published, acknowledged, and then recorded in one transaction (outcomes and
resolutions). Stopping between batches (Ctrl-C, ``dlq cancel``) therefore never re-sends on
resume; only a hard kill inside a batch can re-send that batch, and the consumer's inbox turns
those into counted no-ops.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.operations import jobs as store
from consumers.operations.bookkeeping import processed_by, resolve, write_audit
from consumers.operations.errors import JobNotResumable
from consumers.operations.inbox_ids import InboxKeys, inbox_id_of
from consumers.operations.locks import job_lock
from consumers.operations.planning import Plan, PlannedRecord
from consumers.operations.rate import TokenBucket
from consumers.operations.reader import DeadLetterReader
from consumers.operations.records import DeadLetter
from consumers.operations.republish import replay_record
from events import KafkaRecord
from foundation import tracing
from foundation.kafka import KafkaConnection
from producers import create_producer, publish_records

log = structlog.get_logger("orderflow.dlq")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReplayRequest:
    """Who replays what, why, where to and how fast."""

    operator: str
    reason: str
    destination: str
    rate_per_second: float | None = None
    max_replays: int = 3
    force: bool = False


async def create_replay_job(
    sessions: async_sessionmaker[AsyncSession], plan: Plan, request: ReplayRequest
) -> uuid.UUID:
    """Store the job and its records (refused ones already decided) and audit it."""
    group = plan.selection.group
    async with sessions.begin() as session:
        job_id = await store.insert_job(
            session,
            {
                "kind": "replay",
                "consumer_group": group,
                "status": "queued",
                "operator": request.operator,
                "reason": request.reason,
                "selection": plan.selection.to_json(),
                "destination": request.destination,
                "rate_per_second": request.rate_per_second,
                "max_replays": request.max_replays,
                "force": request.force,
            },
        )
        await store.insert_records(session, job_id, plan.records, _initial_outcome)
        await write_audit(
            session,
            operator=request.operator,
            action="replay",
            group=group,
            job_id=job_id,
            reason=request.reason,
            details=_plan_details(plan, request.destination),
        )
    log.info("dlq_replay_created", job_id=str(job_id), group=group, records=plan.total)
    return job_id


def _initial_outcome(planned: PlannedRecord) -> str:
    return "pending" if planned.allowed else "refused_loop_guard"


def _plan_details(plan: Plan, destination: str) -> dict[str, object]:
    return {
        "selection": plan.selection.to_json(),
        "destination": destination,
        "selected": plan.total,
        "to_send": plan.to_send,
        "refused_loop_guard": plan.refused,
        "predicted_duplicates": plan.predicted_duplicates,
    }


class ReplayRunner:
    """Runs one replay job until done, stopped or cancelled."""

    def __init__(
        self, engine: AsyncEngine, connection: KafkaConnection, inbox_keys: InboxKeys | None = None
    ) -> None:
        """``inbox_keys``: as :class:`~consumers.operations.desk.DeadLetterDesk` takes them, so
        the job's "already in the consumer's inbox" counts look up the id the group records."""
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._connection = connection
        self._inbox_keys = dict(inbox_keys or {})

    async def run(
        self, job_id: uuid.UUID, stop: asyncio.Event, progress: Progress | None = None
    ) -> store.Job:
        """Send the job's pending records; returns the job as it ended."""
        async with job_lock(self._engine, job_id):
            async with self._sessions.begin() as session:
                job = await store.load_job(session, job_id)
                if job.status not in store.ACTIVE:
                    raise JobNotResumable(f"job {job_id} is {job.status}; nothing to resume")
                await store.set_status(session, job_id, "running")
                pending = await store.pending_records(session, job_id)
            log.info("dlq_replay_running", job_id=str(job_id), pending=len(pending))
            status = await self._send_all(job, pending, stop, progress or (lambda _: None))
            async with self._sessions.begin() as session:
                await store.set_status(session, job_id, status)
                counts = await store.outcome_counts(session, job_id)
                await write_audit(
                    session,
                    operator=job.operator,
                    action=f"replay_{status}",
                    group=job.group,
                    job_id=job_id,
                    reason=job.reason,
                    details={"outcomes": counts},
                )
                job = await store.load_job(session, job_id)
        log.info("dlq_replay_ended", job_id=str(job_id), status=status, outcomes=counts)
        return job

    async def _send_all(
        self,
        job: store.Job,
        pending: list[tuple[int, int, int]],
        stop: asyncio.Event,
        progress: Progress,
    ) -> str:
        async with DeadLetterReader(self._connection) as reader:
            wanted: dict[int, set[int]] = {}
            for partition, offset, _ in pending:
                wanted.setdefault(partition, set()).add(offset)
            found = await reader.fetch(job.group, wanted)
        await self._mark_missing(job, pending, found)
        queue = [(found[(p, o)], n) for p, o, n in pending if (p, o) in found]
        producer = create_producer(self._connection)
        await producer.start()
        try:
            return await self._send_batches(job, queue, producer, stop, progress)
        finally:
            await producer.stop()

    async def _mark_missing(
        self,
        job: store.Job,
        pending: list[tuple[int, int, int]],
        found: dict[tuple[int, int], DeadLetter],
    ) -> None:
        gone = {
            (p, o): ("missing", "no longer in the topic (retention?)", False)
            for p, o, _ in pending
            if (p, o) not in found
        }
        if gone:
            async with self._sessions.begin() as session:
                await store.set_outcomes(session, job.id, gone)

    async def _send_batches(
        self,
        job: store.Job,
        queue: list[tuple[DeadLetter, int]],
        producer: AIOKafkaProducer,
        stop: asyncio.Event,
        progress: Progress,
    ) -> str:
        bucket = TokenBucket(job.rate_per_second) if job.rate_per_second else None
        # About a quarter of a second of work per batch: Ctrl-C and cancel act quickly.
        size = max(1, min(100, int((job.rate_per_second or 400) / 4)))
        position = 0
        while position < len(queue):
            if stop.is_set():
                return "interrupted"
            if await self._cancelled(job.id):
                return "cancelled"
            batch: list[tuple[DeadLetter, int]] = []
            for item in queue[position : position + size]:
                if bucket:
                    await bucket.acquire()
                batch.append(item)
                if stop.is_set():
                    break
            await self._send_batch(job, batch, producer)
            position += len(batch)
            progress(len(batch))
        return "completed"

    async def _send_batch(
        self, job: store.Job, batch: list[tuple[DeadLetter, int]], producer: AIOKafkaProducer
    ) -> None:
        now = datetime.now(UTC)
        destination = job.destination or ""
        records = [
            replay_record(d, destination=destination, job_id=job.id, replay_count=n + 1, now=now)
            for d, n in batch
        ]
        started = time.time_ns()
        results = await publish_records(producer, records)
        _trace_replays(job, records, results, started)
        inbox_key = self._inbox_keys.get(job.group)
        inbox_ids = [inbox_id_of(d, inbox_key) for d, _ in batch]
        async with self._sessions.begin() as session:
            processed = await processed_by(session, job.group, inbox_ids)
            outcomes = {
                (d.partition, d.offset): (
                    ("failed", repr(result), False)
                    if isinstance(result, BaseException)
                    else ("replayed", None, inbox_id in processed)
                )
                for (d, _), inbox_id, result in zip(batch, inbox_ids, results, strict=True)
            }
            await store.set_outcomes(session, job.id, outcomes)
            sent = [
                d
                for (d, _), r in zip(batch, results, strict=True)
                if not isinstance(r, BaseException)
            ]
            await resolve(session, sent, resolution="replayed", job_id=job.id)

    async def _cancelled(self, job_id: uuid.UUID) -> bool:
        async with self._sessions() as session:
            return (await store.load_job(session, job_id)).status == "cancelled"


def _trace_replays(
    job: store.Job, records: list[KafkaRecord], results: list[object], started_ns: int
) -> None:
    """A ``publish`` span per replayed dead letter, linked to the original message's creation
    context: the replay keeps the original ``traceparent``, so the consumer's new attempt
    joins the original trace, and the replay itself is one click away from it."""
    if not tracing.tracing_on():
        return
    for record, result in zip(records, results, strict=True):
        tracing.record_publish(
            record.topic,
            tracing.traceparent_header(record.headers),
            {
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": job.group,
                "orderflow.replay.job_id": str(job.id),
            },
            started_ns=started_ns,
            error=repr(result) if isinstance(result, BaseException) else None,
        )

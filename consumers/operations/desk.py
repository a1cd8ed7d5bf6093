"""The operator's desk: every ``orderflow dlq`` operation as one async Python API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import structlog
from aiokafka.errors import KafkaError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from consumers.operations import jobs as store
from consumers.operations.bookkeeping import resolved_in, write_audit
from consumers.operations.conventions import dead_letter_topic
from consumers.operations.errors import EmptySelection, JobNotResumable, UnknownGroup
from consumers.operations.export import write_jsonl
from consumers.operations.inbox_ids import InboxKeys
from consumers.operations.inspection import RecordDetail, decode_payload, history_of, resolution_of
from consumers.operations.locks import is_locked
from consumers.operations.loop_guard import LoopGuard
from consumers.operations.planning import Plan, plan_for
from consumers.operations.purge import purge_plan
from consumers.operations.reader import DeadLetterReader
from consumers.operations.records import DeadLetter
from consumers.operations.replay import Progress, ReplayRequest, ReplayRunner, create_replay_job
from consumers.operations.selection import OffsetRange, Selection
from consumers.operations.summary import SummaryRow, summarize
from consumers.runtime.quarantine import unresolved_counts
from foundation.kafka import KafkaConnection

log = structlog.get_logger("orderflow.dlq")


@dataclass(frozen=True)
class JobView:
    """A job with its outcome counts and whether a live process runs it."""

    job: store.Job
    outcomes: dict[str, int]
    live: bool


class DeadLetterDesk:
    """Inspect, replay, purge and export dead letters (PostgreSQL bookkeeping + Kafka)."""

    def __init__(
        self,
        engine: AsyncEngine,
        connection: KafkaConnection,
        *,
        group_prefix: str = "",
        inbox_keys: InboxKeys | None = None,
    ) -> None:
        """``group_prefix``: what the deployment's group ids start with; hints about unknown
        groups name only those, never another deployment's on the same cluster.

        ``inbox_keys``: the ``Consumer.inbox_key`` of each deployed group that has one, by its
        group id, so "already processed" looks the inbox up by the id that group records; the
        composition root knows the consumers, this package must not import them.
        """
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._connection = connection
        self._group_prefix = group_prefix
        self._inbox_keys = dict(inbox_keys or {})

    def reader(self) -> DeadLetterReader:
        """A reader of dead-letter topics (use ``async with``)."""
        return DeadLetterReader(self._connection, group_prefix=self._group_prefix)

    async def summary(
        self, group: str | None = None, *, among: Collection[str] = ()
    ) -> list[SummaryRow]:
        """Unresolved dead letters grouped by group, reason and event type.

        ``group`` alone (an unknown one is an error), else the groups of ``among`` that have a
        dead-letter topic: a deployment's own groups, so other deployments on the cluster are
        never read. A listed group whose topic is deleted while the summary reads is left out.
        """
        rows: list[SummaryRow] = []
        async with self.reader() as reader:
            if group:
                return await self._summary_of(reader, group)
            for name in (g for g in among if reader.has_topic(dead_letter_topic(g))):
                try:
                    rows += await self._summary_of(reader, name)
                except (UnknownGroup, KafkaError):
                    if await reader.topic_exists_now(dead_letter_topic(name)):
                        raise  # still there: a real fault, not a deletion
                    log.debug("dlq_summary_topic_vanished", group=name)
        return rows

    async def _summary_of(self, reader: DeadLetterReader, group: str) -> list[SummaryRow]:
        records = [r async for r in reader.scan(Selection(group))]  # UnknownGroup when none
        async with self._sessions() as session:
            resolved = await resolved_in(session, dead_letter_topic(group))
        return summarize(group, (r for r in records if (r.partition, r.offset) not in resolved))

    async def quarantined(self, group: str | None = None) -> dict[str, int]:
        """Unresolved quarantined records per group (see ``orderflow dlq quarantine``)."""
        async with self._sessions() as session:
            counts = await unresolved_counts(session)
        return {g: n for g, n in counts.items() if group in (None, g)}

    async def show(self, group: str, partition: int, offset: int) -> RecordDetail:
        """The dead letter at ``partition``/``offset`` of the group's topic."""
        selection = Selection(group, partitions=(partition,), offsets=OffsetRange(offset, offset))
        return (await self._details(selection))[0]

    async def find(self, group: str, event_id: uuid.UUID) -> list[RecordDetail]:
        """Every dead letter of event ``event_id`` in the group's topic, oldest first."""
        return await self._details(Selection(group, event_ids=(str(event_id),)))

    async def _details(self, selection: Selection) -> list[RecordDetail]:
        async with self.reader() as reader:
            records = [r async for r in reader.scan(selection)]
        if not records:
            raise EmptySelection(
                f"no dead letter matches {selection.describe()}; "
                f"run `orderflow dlq ls --group {selection.group}` to see what is there"
            )
        return [await self._detail(r) for r in sorted(records, key=lambda r: r.timestamp_ms)]

    async def _detail(self, record: DeadLetter) -> RecordDetail:
        payload, error = decode_payload(record)
        async with self._sessions() as session:
            history = await history_of(session, record)
            resolution = await resolution_of(session, record)
        return RecordDetail(record, payload, error, resolution, history)

    async def plan(
        self,
        selection: Selection,
        *,
        guard: LoopGuard | None = None,
        include_resolved: bool = False,
    ) -> Plan:
        """What an operation over ``selection`` would touch (changes nothing)."""
        async with self.reader() as reader:
            return await plan_for(
                reader,
                self._sessions,
                selection,
                guard=guard,
                include_resolved=include_resolved,
                inbox_key=self._inbox_keys.get(selection.group),
            )

    async def destination_exists(self, topic: str) -> bool:
        """True when ``topic`` exists (a replay never creates topics)."""
        async with self.reader() as reader:
            return reader.has_topic(topic)

    async def create_replay(self, plan: Plan, request: ReplayRequest) -> uuid.UUID:
        """Store a replay job for ``plan``; run it with :meth:`run`."""
        return await create_replay_job(self._sessions, plan, request)

    async def run(
        self, job_id: uuid.UUID, stop: asyncio.Event | None = None, progress: Progress | None = None
    ) -> JobView:
        """Run (or resume) a replay job until done, ``stop`` is set, or it is cancelled."""
        runner = ReplayRunner(self._engine, self._connection, self._inbox_keys)
        job = await runner.run(job_id, stop or asyncio.Event(), progress)
        return await self.job(job.id)

    async def job(self, job_id: uuid.UUID) -> JobView:
        """One job with its outcome counts."""
        async with self._sessions() as session:
            job = await store.load_job(session, job_id)
            counts = await store.outcome_counts(session, job_id)
        return JobView(job, counts, await is_locked(self._engine, job_id))

    async def jobs(self, group: str | None = None, limit: int = 20) -> list[JobView]:
        """The newest jobs first."""
        async with self._sessions() as session:
            found = await store.list_jobs(session, group, limit)
        return [await self.job(j.id) for j in found]

    async def cancel(self, job_id: uuid.UUID, operator: str) -> JobView:
        """Cancel a queued, running or interrupted job: its pending records are released."""
        async with self._sessions.begin() as session:
            job = await store.load_job(session, job_id)
            if job.status not in store.ACTIVE:
                raise JobNotResumable(f"job {job_id} is already {job.status}; nothing to cancel")
            released = await store.cancel_pending(session, job_id)
            await store.set_status(session, job_id, "cancelled")
            await write_audit(
                session,
                operator=operator,
                action="cancel",
                group=job.group,
                job_id=job_id,
                reason=job.reason,
                details={"released": released},
            )
        return await self.job(job_id)

    async def purge(self, plan: Plan, *, operator: str, reason: str, export_to: Path) -> JobView:
        """Write the plan's records to ``export_to`` (JSONL), then mark them resolved."""
        job_id = await purge_plan(
            self._sessions, plan, operator=operator, reason=reason, export_to=export_to
        )
        return await self.job(job_id)

    async def export(self, plan: Plan, *, operator: str, to: Path | TextIO) -> int:
        """Write the plan's records to ``to`` (a new file, or a stream) as JSONL; audited.

        Resolves nothing: ``ls`` still counts the exported records.
        """
        count = write_jsonl(to, (p.record for p in plan.records))
        async with self._sessions.begin() as session:
            await write_audit(
                session,
                operator=operator,
                action="export",
                group=plan.selection.group,
                details={
                    "selection": plan.selection.to_json(),
                    "exported": count,
                    "to": str(to) if isinstance(to, Path) else "stdout",
                },
            )
        return count

"""Durable jobs in PostgreSQL: one row per job, one row per record with its outcome."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.operations.conventions import dead_letter_topic
from consumers.operations.errors import JobConflict, JobNotFound
from consumers.operations.planning import PlannedRecord
from consumers.operations.tables import job_records, jobs

ACTIVE = ("queued", "running", "interrupted")


@dataclass(frozen=True)
class Job:
    """A replay or purge job as stored."""

    id: uuid.UUID
    kind: str
    group: str
    status: str
    operator: str
    reason: str
    selection: dict[str, Any]
    destination: str | None
    rate_per_second: float | None
    max_replays: int
    force: bool
    export_path: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def topic(self) -> str:
        """The dead-letter topic the job reads."""
        return dead_letter_topic(self.group)


def _job(row: Any) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        kind=m["kind"],
        group=m["consumer_group"],
        status=m["status"],
        operator=m["operator"],
        reason=m["reason"],
        selection=m["selection"],
        destination=m["destination"],
        rate_per_second=m["rate_per_second"],
        max_replays=m["max_replays"],
        force=m["force"],
        export_path=m["export_path"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        finished_at=m["finished_at"],
    )


async def insert_job(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID:
    """Insert a job row; returns its id."""
    job_id = uuid.uuid4()
    await session.execute(jobs.insert().values(id=job_id, **values))
    return job_id


async def insert_records(
    session: AsyncSession, job_id: uuid.UUID, planned: Sequence[PlannedRecord], outcome_of: Any
) -> None:
    """Insert one row per planned record; :class:`JobConflict` when another job holds one.

    ``outcome_of(planned)`` gives the initial outcome (``pending`` rows are claimed: the
    partial unique index allows one pending row per dead letter across all jobs).
    """
    rows = [
        {
            "job_id": job_id,
            "dlq_topic": p.record.topic,
            "dlq_partition": p.record.partition,
            "dlq_offset": p.record.offset,
            "event_id": p.record.event_id,
            "event_type": p.record.event_type,
            "outcome": outcome_of(p),
            "replay_count": p.replays_so_far,
            "already_processed": p.already_processed,
        }
        for p in planned
    ]
    try:
        async with session.begin_nested():
            for chunk in range(0, len(rows), 1000):
                await session.execute(job_records.insert().values(rows[chunk : chunk + 1000]))
    except IntegrityError:
        raise await _conflict(session, planned) from None


async def _conflict(session: AsyncSession, planned: Sequence[PlannedRecord]) -> JobConflict:
    topic = planned[0].record.topic
    held = await session.execute(
        select(jobs.c.id, jobs.c.status, jobs.c.operator, func.count())
        .join(job_records, job_records.c.job_id == jobs.c.id)
        .where(
            job_records.c.outcome == "pending",
            job_records.c.dlq_topic == topic,
            tuple_(job_records.c.dlq_partition, job_records.c.dlq_offset).in_(
                [(p.record.partition, p.record.offset) for p in planned]
            ),
        )
        .group_by(jobs.c.id)
    )
    row = held.first()
    if row is None:
        return JobConflict("another job claimed these records at the same moment; try again")
    job_id, status, operator, count = row
    return JobConflict(
        f"job {job_id} ({status}, by {operator}) already holds {count} of these records; "
        f"let it finish, `orderflow dlq resume {job_id}` it, or `orderflow dlq cancel {job_id}`"
    )


async def load_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    """The job with ``job_id``; :class:`JobNotFound` when there is none."""
    row = (await session.execute(select(jobs).where(jobs.c.id == job_id))).first()
    if row is None:
        raise JobNotFound(f"no job {job_id}; list them with `orderflow dlq jobs`")
    return _job(row)


async def list_jobs(session: AsyncSession, group: str | None = None, limit: int = 20) -> list[Job]:
    """The newest jobs first, optionally of one group."""
    query = select(jobs).order_by(jobs.c.created_at.desc()).limit(limit)
    if group:
        query = query.where(jobs.c.consumer_group == group)
    return [_job(row) for row in await session.execute(query)]


async def outcome_counts(session: AsyncSession, job_id: uuid.UUID) -> dict[str, int]:
    """Records per outcome, plus ``already_processed`` among the replayed ones."""
    rows = await session.execute(
        select(job_records.c.outcome, func.count())
        .where(job_records.c.job_id == job_id)
        .group_by(job_records.c.outcome)
    )
    counts = {str(outcome): int(n) for outcome, n in rows}
    duplicates = await session.scalar(
        select(func.count()).where(
            job_records.c.job_id == job_id,
            job_records.c.outcome == "replayed",
            job_records.c.already_processed,
        )
    )
    counts["already_processed"] = int(duplicates or 0)
    return counts


async def set_status(session: AsyncSession, job_id: uuid.UUID, status: str) -> None:
    """Move a job to ``status`` (a final status also stamps ``finished_at``)."""
    finished = func.now() if status in ("completed", "cancelled") else None
    await session.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(status=status, updated_at=func.now(), finished_at=finished)
    )


async def pending_records(session: AsyncSession, job_id: uuid.UUID) -> list[tuple[int, int, int]]:
    """(partition, offset, replay count) of the job's records still to send, in order."""
    rows = await session.execute(
        select(job_records.c.dlq_partition, job_records.c.dlq_offset, job_records.c.replay_count)
        .where(job_records.c.job_id == job_id, job_records.c.outcome == "pending")
        .order_by(job_records.c.dlq_partition, job_records.c.dlq_offset)
    )
    return [(p, o, n) for p, o, n in rows]


async def set_outcomes(
    session: AsyncSession,
    job_id: uuid.UUID,
    outcomes: Mapping[tuple[int, int], tuple[str, str | None, bool]],
) -> None:
    """Record (outcome, detail, already processed) per (partition, offset)."""
    for (partition, offset), (outcome, detail, processed) in outcomes.items():
        await session.execute(
            update(job_records)
            .where(
                job_records.c.job_id == job_id,
                job_records.c.dlq_partition == partition,
                job_records.c.dlq_offset == offset,
            )
            .values(
                outcome=outcome, detail=detail, already_processed=processed, updated_at=func.now()
            )
        )
    await session.execute(update(jobs).where(jobs.c.id == job_id).values(updated_at=func.now()))


async def cancel_pending(session: AsyncSession, job_id: uuid.UUID) -> int:
    """Release the job's pending records (outcome ``cancelled``); returns how many."""
    result = await session.execute(
        update(job_records)
        .where(job_records.c.job_id == job_id, job_records.c.outcome == "pending")
        .values(outcome="cancelled", updated_at=func.now())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]

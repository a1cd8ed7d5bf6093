"""``dlq show``: one dead letter in full, with its decoded payload and replay history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.operations.records import DeadLetter
from consumers.operations.tables import job_records, jobs, resolutions
from events import PoisonMessage, decode_record


@dataclass(frozen=True)
class HistoryEntry:
    """One job that touched this dead letter or its event."""

    job_id: str
    kind: str
    operator: str
    reason: str
    outcome: str
    at: datetime
    same_record: bool


@dataclass(frozen=True)
class RecordDetail:
    """Everything ``dlq show`` prints about one dead letter."""

    record: DeadLetter
    payload: dict[str, Any] | None
    decode_error: str | None
    resolution: str | None
    history: tuple[HistoryEntry, ...]


def decode_payload(record: DeadLetter) -> tuple[dict[str, Any] | None, str | None]:
    """The typed payload as JSON data, or why it cannot be decoded."""
    original = record.header("x-original-topic") or ""
    try:
        decoded = decode_record(record.value, record.headers, original)
    except PoisonMessage as poison:
        return None, str(poison)
    return decoded.event.model_dump(mode="json"), None


async def history_of(session: AsyncSession, record: DeadLetter) -> tuple[HistoryEntry, ...]:
    """Jobs that replayed or purged this dead letter, or any dead letter of the same event."""
    same = (
        (job_records.c.dlq_topic == record.topic)
        & (job_records.c.dlq_partition == record.partition)
        & (job_records.c.dlq_offset == record.offset)
    )
    match = or_(same, job_records.c.event_id == record.event_id) if record.event_id else same
    rows = await session.execute(
        select(
            jobs.c.id,
            jobs.c.kind,
            jobs.c.operator,
            jobs.c.reason,
            job_records.c.outcome,
            job_records.c.updated_at,
            same,
        )
        .join(jobs, jobs.c.id == job_records.c.job_id)
        .where(match)
        .order_by(job_records.c.updated_at)
    )
    return tuple(
        HistoryEntry(str(i), kind, op, why, outcome, at, bool(is_same))
        for i, kind, op, why, outcome, at, is_same in rows
    )


async def resolution_of(session: AsyncSession, record: DeadLetter) -> str | None:
    """``replayed``/``purged`` when the dead letter is resolved, else None."""
    return await session.scalar(
        select(resolutions.c.resolution).where(
            resolutions.c.dlq_topic == record.topic,
            resolutions.c.dlq_partition == record.partition,
            resolutions.c.dlq_offset == record.offset,
        )
    )

"""Queries over the bookkeeping tables and the consumer inbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.operations.records import DeadLetter
from consumers.operations.tables import audit, job_records, resolutions
from consumers.runtime import inbox

Coordinate = tuple[int, int]  # (partition, offset)


async def resolved_in(session: AsyncSession, topic: str) -> set[Coordinate]:
    """Coordinates of ``topic``'s dead letters already replayed or purged."""
    rows = await session.execute(
        select(resolutions.c.dlq_partition, resolutions.c.dlq_offset).where(
            resolutions.c.dlq_topic == topic
        )
    )
    return {(p, o) for p, o in rows}


async def replays_recorded(session: AsyncSession, topic: str) -> dict[Coordinate, int]:
    """How often each dead letter of ``topic`` was replayed by earlier jobs."""
    rows = await session.execute(
        select(job_records.c.dlq_partition, job_records.c.dlq_offset, func.count())
        .where(job_records.c.dlq_topic == topic, job_records.c.outcome == "replayed")
        .group_by(job_records.c.dlq_partition, job_records.c.dlq_offset)
    )
    return {(p, o): n for p, o, n in rows}


async def processed_by(
    session: AsyncSession, group: str, inbox_ids: Iterable[uuid.UUID | None]
) -> set[uuid.UUID]:
    """The ids among ``inbox_ids`` that ``group``'s inbox holds: it handled those records.

    An inbox id is the event id, or what the group's ``Consumer.inbox_key`` makes of the record
    (see :func:`consumers.operations.inbox_ids.inbox_id_of`); None stands for a record the inbox
    cannot hold.
    """
    wanted = {e for e in inbox_ids if e is not None}
    if not wanted:
        return set()
    rows = await session.scalars(
        select(inbox.c.event_id).where(inbox.c.consumer == group, inbox.c.event_id.in_(wanted))
    )
    return set(rows)


async def resolve(
    session: AsyncSession, records: Iterable[DeadLetter], *, resolution: str, job_id: uuid.UUID
) -> None:
    """Mark ``records`` resolved (``replayed`` or ``purged``); the first resolution wins."""
    rows = [
        {
            "dlq_topic": r.topic,
            "dlq_partition": r.partition,
            "dlq_offset": r.offset,
            "consumer_group": r.group,
            "event_id": r.event_id,
            "resolution": resolution,
            "job_id": job_id,
        }
        for r in records
    ]
    if rows:
        await session.execute(insert(resolutions).values(rows).on_conflict_do_nothing())


async def write_audit(
    session: AsyncSession,
    *,
    operator: str,
    action: str,
    group: str,
    details: dict[str, Any],
    job_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    """Append one entry to the audit trail."""
    await session.execute(
        audit.insert().values(
            operator=operator,
            action=action,
            consumer_group=group,
            job_id=job_id,
            reason=reason,
            details=details,
        )
    )

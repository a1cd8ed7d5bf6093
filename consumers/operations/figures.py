"""Dead-letter figures read from durable state, for a long-running process to export.

How many dead letters a group ever had and how many are still unresolved, and what replay,
purge and export jobs did, are facts of the broker (the end and start offsets of
``<group>.dlq``) and of the bookkeeping tables (resolutions, job records, audit) — not of the
short-lived ``orderflow dlq`` process that happened to run a job. Reading them gives the same
figures in every process that exports them, across restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Integer, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.operations.tables import audit, job_records, jobs, resolutions

# Job record outcomes that count, by the figure they feed.
_OUTCOMES = {"replayed": "replayed", "refused_loop_guard": "refused", "purged": "purged"}


@dataclass(frozen=True)
class PartitionSpan:
    """The offsets a dead-letter partition retains: ``[start, end)``."""

    topic: str
    partition: int
    start: int
    end: int


@dataclass(frozen=True)
class GroupFigures:
    """The dead-letter figures of one consumer group."""

    group: str
    written: int  # ever written to <group>.dlq: the sum of its end offsets
    unresolved: int  # retained and neither replayed nor purged
    replayed: int
    refused: int  # refused by the loop guard
    purged: int
    exported: int


async def read_figures(
    session: AsyncSession, spans: Mapping[str, Iterable[PartitionSpan]]
) -> list[GroupFigures]:
    """The figures of every group in ``spans`` (group -> its dead-letter partitions)."""
    groups = sorted(spans)
    outcomes = await _job_outcomes(session, groups)
    exported = await _exported(session, groups)
    figures = []
    for group in groups:
        parts = list(spans[group])
        resolved = await _resolved_in_spans(session, parts)
        counts = outcomes.get(group, {})
        figures.append(
            GroupFigures(
                group=group,
                written=sum(p.end for p in parts),
                unresolved=max(0, sum(p.end - p.start for p in parts) - resolved),
                replayed=counts.get("replayed", 0),
                refused=counts.get("refused", 0),
                purged=counts.get("purged", 0),
                exported=exported.get(group, 0),
            )
        )
    return figures


async def _job_outcomes(session: AsyncSession, groups: list[str]) -> dict[str, dict[str, int]]:
    rows = await session.execute(
        select(jobs.c.consumer_group, job_records.c.outcome, func.count())
        .join(jobs, jobs.c.id == job_records.c.job_id)
        .where(jobs.c.consumer_group.in_(groups), job_records.c.outcome.in_(_OUTCOMES))
        .group_by(jobs.c.consumer_group, job_records.c.outcome)
    )
    counts: dict[str, dict[str, int]] = {}
    for group, outcome, count in rows:
        counts.setdefault(group, {})[_OUTCOMES[outcome]] = int(count)
    return counts


async def _exported(session: AsyncSession, groups: list[str]) -> dict[str, int]:
    exported = func.coalesce(func.sum(cast(audit.c.details["exported"].astext, Integer)), 0)
    rows = await session.execute(
        select(audit.c.consumer_group, exported)
        .where(audit.c.action == "export", audit.c.consumer_group.in_(groups))
        .group_by(audit.c.consumer_group)
    )
    return {group: int(count) for group, count in rows}


async def _resolved_in_spans(session: AsyncSession, spans: list[PartitionSpan]) -> int:
    """Resolutions of records still retained (older ones left with the topic's retention)."""
    if not spans:
        return 0
    retained = or_(
        *(
            and_(
                resolutions.c.dlq_topic == span.topic,
                resolutions.c.dlq_partition == span.partition,
                resolutions.c.dlq_offset >= span.start,
                resolutions.c.dlq_offset < span.end,
            )
            for span in spans
        )
    )
    return int(await session.scalar(select(func.count()).where(retained)) or 0)

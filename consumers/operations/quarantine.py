"""The quarantine desk: list, show, replay, export and purge quarantined records, audited.

A quarantined record never reached a dead-letter topic (its copy was too large for the broker,
or its headers could not be built), so it lives in ``messaging.quarantine``. A replay publishes
the original key, value and headers to the group's first retry tier — which only works once
the record fits (the broker's limit was raised, say); else the operator exports and purges it.
A record kept only as a prefix (beyond the runtime's size limit) can only be exported.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.operations import conventions as c
from consumers.operations.bookkeeping import write_audit
from consumers.operations.errors import EmptySelection, InvalidSelection
from consumers.operations.export import write_json_lines
from consumers.operations.quarantine_records import QuarantinedRecord
from consumers.runtime import RECORD_REJECTIONS, quarantine
from events import KafkaRecord
from foundation.kafka import KafkaConnection
from producers import create_producer

# A replayed record's own copy comes back here if it is still refused: the loop guard stops it.
REPLAY_COUNT_DIGITS = 6


@dataclass
class ReplayOutcome:
    """What a quarantine replay did, per record id."""

    replayed: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


class QuarantineDesk:
    """Operator actions on ``messaging.quarantine``."""

    def __init__(self, engine: AsyncEngine, connection: KafkaConnection) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._connection = connection

    async def counts(self, group: str | None = None) -> dict[str, int]:
        """Unresolved quarantined records per group."""
        query = (
            select(quarantine.c.consumer_group, func.count())
            .where(quarantine.c.resolution.is_(None))
            .group_by(quarantine.c.consumer_group)
        )
        if group is not None:
            query = query.where(quarantine.c.consumer_group == group)
        async with self._sessions() as session:
            return {str(g): int(n) for g, n in await session.execute(query)}

    async def records(
        self,
        *,
        group: str | None = None,
        ids: Sequence[int] = (),
        include_resolved: bool = False,
        limit: int = 1000,
    ) -> list[QuarantinedRecord]:
        """Quarantined records, oldest first: the given ``ids``, else those of ``group``."""
        query = select(quarantine).order_by(quarantine.c.id).limit(limit)
        if ids:
            query = query.where(quarantine.c.id.in_(ids))
        if group is not None:
            query = query.where(quarantine.c.consumer_group == group)
        if not include_resolved and not ids:
            query = query.where(quarantine.c.resolution.is_(None))
        async with self._sessions() as session:
            found = [
                QuarantinedRecord.from_row(r) for r in (await session.execute(query)).mappings()
            ]
        missing = sorted(set(ids) - {r.id for r in found})
        if missing:
            raise EmptySelection(
                f"no quarantined record has id {', '.join(map(str, missing))}; "
                "run `orderflow dlq quarantine ls --all` to see them"
            )
        return found

    async def replay(
        self,
        records: Sequence[QuarantinedRecord],
        *,
        operator: str,
        reason: str,
        max_replays: int,
        dry_run: bool = False,
    ) -> ReplayOutcome:
        """Publish each unresolved, whole record to its group's first retry tier."""
        outcome = ReplayOutcome()
        ready = [r for r in records if not _refusal(r, max_replays, outcome)]
        if dry_run or not ready:
            outcome.replayed = [r.id for r in ready] if dry_run else []
            return outcome
        replay_id = uuid.uuid4()
        producer = create_producer(self._connection)
        await producer.start()
        try:
            for record in ready:
                refused = await self._replay_one(producer, record, replay_id, operator, reason)
                if refused is None:
                    outcome.replayed.append(record.id)
                else:
                    outcome.refused[record.id] = refused
        finally:
            await producer.stop()
        return outcome

    async def _replay_one(
        self,
        producer: AIOKafkaProducer,
        record: QuarantinedRecord,
        replay_id: uuid.UUID,
        operator: str,
        reason: str,
    ) -> str | None:
        """Replay ``record`` holding its row, so two operators never both send it."""
        destination = c.retry_topic(record.group, 1)
        async with self._sessions.begin() as session:
            if not await _claim(session, record.id):
                return "already resolved (or being replayed by someone else)"
            try:
                await (await _send(producer, replay_record(record, destination, replay_id)))
            except RECORD_REJECTIONS as error:
                return f"still refused by {destination} ({error}): export it, then purge it"
            await _resolve(session, [record.id], "replayed", operator, reason, replayed=True)
            await _audit(session, operator, "quarantine-replay", record, reason, destination)
        return None

    async def export(
        self, records: Sequence[QuarantinedRecord], *, operator: str, to: Path | TextIO
    ) -> int:
        """Write ``records`` as JSON lines (a new file, or a stream); audited, resolves nothing."""
        count = write_json_lines(to, (r.to_json() for r in records))
        async with self._sessions.begin() as session:
            for record in records:
                await _audit(session, operator, "quarantine-export", record, None, str(to))
        return count

    async def purge(
        self, records: Sequence[QuarantinedRecord], *, operator: str, reason: str, export_to: Path
    ) -> int:
        """Export ``records`` to ``export_to`` (a new file), then mark them purged."""
        pending = [r for r in records if r.resolution is None]
        if not pending:
            raise EmptySelection("nothing to purge: every selected record is already resolved")
        write_json_lines(export_to, (r.to_json() for r in pending))
        async with self._sessions.begin() as session:
            await _resolve(session, [r.id for r in pending], "purged", operator, reason)
            for record in pending:
                await _audit(session, operator, "quarantine-purge", record, reason, str(export_to))
        return len(pending)


def replay_record(record: QuarantinedRecord, destination: str, replay_id: uuid.UUID) -> KafkaRecord:
    """The original key, value and headers, stamped as a replay due at once."""
    kept = [(n, v) for n, v in record.headers if not n.startswith(c.REPLACED_HEADER_PREFIXES)]
    stamps: list[tuple[str, bytes | None]] = [
        (c.REPLAY_ID, str(replay_id).encode()),
        (c.REPLAY_COUNT, str(replay_count(record) + 1).encode()),
        (c.RETRY_NOT_BEFORE, datetime.now(UTC).isoformat().encode()),
    ]
    headers: Any = kept + stamps  # null header values stay null (Kafka allows them)
    return KafkaRecord(destination, record.key or b"", record.value or b"", headers)


def replay_count(record: QuarantinedRecord) -> int:
    """Replays the record went through before (its ``x-replay-count``; 0 if unreadable)."""
    raw = record.header(c.REPLAY_COUNT) or ""
    small = raw.isascii() and raw.isdigit() and len(raw) <= REPLAY_COUNT_DIGITS
    return int(raw) if small else 0


def parse_ids(texts: Sequence[str]) -> list[int]:
    """Record ids as the operator typed them (``ls`` shows them)."""
    ids = []
    for text in texts:
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise InvalidSelection(f"bad id {text!r}: copy it from `orderflow dlq quarantine ls`")
        ids.append(int(text))
    return ids


def _refusal(record: QuarantinedRecord, max_replays: int, outcome: ReplayOutcome) -> bool:
    why = None
    if record.resolution is not None:
        why = f"already {record.resolution}"
    elif not record.complete:
        why = (
            f"only its first bytes were kept ({len(record.value or b'')} of {record.value_size}):"
            " export it, then purge it"
        )
    elif replay_count(record) >= max_replays:
        why = f"replayed {replay_count(record)} times already (loop guard; --force to go on)"
    if why is not None:
        outcome.refused[record.id] = why
    return why is not None


async def _send(producer: AIOKafkaProducer, record: KafkaRecord) -> Any:
    return await producer.send(
        record.topic, value=record.value, key=record.key, headers=record.headers
    )


async def _claim(session: AsyncSession, record_id: int) -> bool:
    held = await session.scalar(
        select(quarantine.c.id)
        .where(quarantine.c.id == record_id, quarantine.c.resolution.is_(None))
        .with_for_update(skip_locked=True)
    )
    return held is not None


async def _resolve(
    session: AsyncSession,
    ids: list[int],
    resolution: str,
    operator: str,
    reason: str,
    *,
    replayed: bool = False,
) -> None:
    values: dict[str, Any] = {
        "resolution": resolution,
        "resolved_at": func.now(),
        "resolved_by": operator,
        "resolution_reason": reason,
    }
    if replayed:
        values["replay_count"] = quarantine.c.replay_count + 1
    await session.execute(update(quarantine).where(quarantine.c.id.in_(ids)).values(values))


async def _audit(
    session: AsyncSession,
    operator: str,
    action: str,
    record: QuarantinedRecord,
    reason: str | None,
    target: str,
) -> None:
    await write_audit(
        session,
        operator=operator,
        action=action,
        group=record.group,
        reason=reason,
        details={
            "quarantine_id": record.id,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "event_id": str(record.event_id) if record.event_id else None,
            "target": target,
        },
    )

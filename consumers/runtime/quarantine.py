"""The quarantine: records whose retry or dead-letter copy cannot be written, kept in PostgreSQL.

A record leaves its partition in bounded time whatever it is. When even its dead letter cannot
be published for a reason of the record itself — the copy (original plus ``x-*`` headers) is
larger than the broker accepts, or its headers cannot be built — it is kept here with its
bytes, its headers, a SHA-256 and its size, and the partition moves on. ``orderflow dlq
quarantine`` lists, shows, replays (to the group's first retry tier, once it fits), exports and
purges them. An infrastructure failure is never a reason to quarantine: the batch waits.

A record larger than ``max_bytes`` (key, value and headers) is kept as a prefix: the first
bytes of its value and key, each header value cut short, with the full sizes and the value's
SHA-256; such a row cannot be replayed, only exported and purged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka.structs import ConsumerRecord
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.errors import describe, message_of
from consumers.runtime.inbox import metadata

log = structlog.get_logger("orderflow.consumers")

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("consumer_group", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("record_timestamp_ms", BigInteger, nullable=False),
    Column("key", LargeBinary),  # NULL for a record without a key
    Column("key_size", Integer, nullable=False),
    Column("value", LargeBinary),  # NULL for a record without a value (a tombstone)
    Column("value_size", Integer, nullable=False),
    Column("value_sha256", Text, nullable=False),
    Column("complete", Boolean, nullable=False),  # key, value and headers kept whole
    Column("headers", JSONB, nullable=False),  # [{"name", "value" (base64 or null), "size"}]
    Column("reason", Text, nullable=False),  # why no dead letter could be written
    Column("failure_reason", Text, nullable=False),  # why the record failed in the first place
    Column("exception_type", Text, nullable=False),  # the record's failure ...
    Column("message", Text, nullable=False),
    Column("rejection", Text, nullable=False, server_default=""),  # ... and why no copy
    Column("quarantined_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("replay_count", Integer, nullable=False, server_default=text("0")),
    Column("resolution", Text),  # replayed | purged; NULL while it waits for an operator
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", Text),
    Column("resolution_reason", Text),
    # A batch that runs again after an outage must not keep the same record twice.
    UniqueConstraint("consumer_group", "topic", "partition", "offset"),
    Index(
        "ix_quarantine_unresolved",
        "consumer_group",
        "quarantined_at",
        postgresql_where=text("resolution IS NULL"),
    ),
)

# Why a record is quarantined (the ``reason`` column and the metric label).
TOO_LARGE = "too_large"  # the broker (or the producer's own limit) refused the copy's size
UNBUILDABLE = "unbuildable"  # the copy's headers could not be built

# What is kept of a record beyond ``max_bytes``.
PREFIX_BYTES = 64 * 1024
HEADER_PREFIX_BYTES = 1024
REFRESH_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Quarantined:
    """A record to quarantine: why it failed, and why its copy could not be written."""

    record: ConsumerRecord[bytes, bytes]
    reason: str
    failure_reason: str
    error: BaseException  # the record's own failure
    rejection: BaseException  # what refused its retry or dead-letter copy


def record_size(record: ConsumerRecord[bytes, bytes]) -> int:
    """Bytes of key, value and headers (names and values)."""
    headers = sum(len(n.encode()) + len(v or b"") for n, v in record.headers or ())
    return len(record.key or b"") + len(record.value or b"") + headers


def row_of(entry: Quarantined, group: str, max_bytes: int) -> dict[str, Any]:
    """The ``quarantine`` row of ``entry``; the bytes are cut to prefixes beyond ``max_bytes``."""
    record = entry.record
    key, value = record.key, record.value
    whole = record_size(record) <= max_bytes
    return {
        "consumer_group": group,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "record_timestamp_ms": record.timestamp,
        "key": key if whole or key is None else key[:HEADER_PREFIX_BYTES],
        "key_size": len(key or b""),
        "value": value if whole or value is None else value[:PREFIX_BYTES],
        "value_size": len(value or b""),
        "value_sha256": hashlib.sha256(value or b"").hexdigest(),
        "complete": whole,
        "headers": [_header(n, v, whole) for n, v in record.headers or ()],
        "reason": entry.reason,
        "failure_reason": entry.failure_reason,
        "exception_type": type(entry.error).__name__,
        "message": message_of(entry.error)[:1000],
        "rejection": describe(entry.rejection),
    }


def _header(name: str, value: bytes | None, whole: bool) -> dict[str, Any]:
    kept = value if whole or value is None else value[:HEADER_PREFIX_BYTES]
    return {
        # JSONB refuses NUL; a name carrying one is shown with U+FFFD instead.
        "name": name.replace("\x00", "\ufffd"),
        "value": None if kept is None else base64.b64encode(kept).decode(),
        "size": None if value is None else len(value),
    }


async def keep_in_quarantine(
    sessions: async_sessionmaker[AsyncSession],
    group: str,
    entries: Sequence[Quarantined],
    max_bytes: int,
) -> None:
    """Insert ``entries`` (one transaction); raises when the database fails (the batch waits)."""
    if not entries:
        return
    rows = [row_of(e, group, max_bytes) for e in entries]
    async with sessions.begin() as session:
        await session.execute(insert(quarantine).values(rows).on_conflict_do_nothing())
    for entry in entries:
        metrics.QUARANTINED.labels(group, entry.reason).inc()
        log.error(
            "record_quarantined",
            group=group,
            topic=entry.record.topic,
            partition=entry.record.partition,
            offset=entry.record.offset,
            reason=entry.reason,
            failure_reason=entry.failure_reason,
            size=record_size(entry.record),
            error=describe(entry.error)[:300],
            rejection=describe(entry.rejection)[:300],
        )
    await refresh_unresolved(sessions, group)


async def unresolved_count(session: AsyncSession, group: str) -> int:
    """Quarantined records of ``group`` still waiting for an operator."""
    count = await session.scalar(
        select(func.count())
        .select_from(quarantine)
        .where(quarantine.c.consumer_group == group, quarantine.c.resolution.is_(None))
    )
    return int(count or 0)


async def unresolved_counts(session: AsyncSession) -> dict[str, int]:
    """Quarantined records still waiting for an operator, per group."""
    rows = await session.execute(
        select(quarantine.c.consumer_group, func.count())
        .where(quarantine.c.resolution.is_(None))
        .group_by(quarantine.c.consumer_group)
    )
    return {str(group): int(count) for group, count in rows}


async def refresh_unresolved(sessions: async_sessionmaker[AsyncSession], group: str) -> None:
    """Set ``orderflow_consumer_quarantine_unresolved`` of ``group`` from the table (best
    effort: a gauge is not worth failing anything for)."""
    try:
        async with asyncio.timeout(REFRESH_TIMEOUT_SECONDS), sessions() as session:
            count = await unresolved_count(session, group)
    except Exception as error:  # the database may be down; the next refresh will tell
        log.debug("quarantine_gauge_not_refreshed", group=group, error=describe(error))
        return
    metrics.QUARANTINE_UNRESOLVED.labels(group).set(count)


class QuarantineGauge:
    """Refreshes the unresolved gauge every ``every`` seconds in the background: an operator
    resolves quarantined records from another process."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], group: str, every: float = 30.0
    ) -> None:
        self._sessions = sessions
        self._group = group
        self._every = every
        self._next = 0.0
        self._task: asyncio.Task[None] | None = None

    def maybe_refresh(self) -> None:
        """Start a refresh when one is due and none runs."""
        now = time.monotonic()
        if now < self._next or (self._task is not None and not self._task.done()):
            return
        self._next = now + self._every
        self._task = asyncio.create_task(refresh_unresolved(self._sessions, self._group))

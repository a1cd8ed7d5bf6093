"""What ``orderflow consumers status`` shows: lag, retry-tier depth, dead letters, last error,
infrastructure waits in progress and quarantined records.

Read-only: committed offsets of the group (admin API), end and beginning offsets of its topics
(a group-less consumer), and what the runtime recorded in ``messaging``. When PostgreSQL is
what is down, the Kafka side is still shown, with the database error instead of the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.errors import describe, infrastructure_cause
from consumers.runtime.handlers import Consumer
from consumers.runtime.last_errors import last_errors
from consumers.runtime.quarantine import unresolved_counts
from consumers.runtime.topics import dead_letter_topic, retry_topics
from consumers.runtime.wait_records import current_waits
from foundation.kafka import KafkaConnection

DATABASE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class PartitionLag:
    """How far a group is behind on one partition."""

    topic: str
    partition: int
    committed: int | None
    end: int

    @property
    def lag(self) -> int:
        """Records not yet handled (everything, when nothing was committed yet)."""
        return max(0, self.end - (self.committed or 0))


@dataclass(frozen=True)
class GroupStatus:
    """One consumer group at a glance."""

    group: str
    partitions: list[PartitionLag]
    retry_depths: dict[int, int]
    dead_letters: int
    last_error: dict[str, Any] | None = field(default=None)
    waits: list[dict[str, Any]] = field(default_factory=list)
    quarantined: int = 0
    database_error: str | None = None

    @property
    def lag(self) -> int:
        """Total lag over the main topics."""
        return sum(p.lag for p in self.partitions)

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        error = self.last_error and _jsonable(self.last_error)
        return {
            "group": self.group,
            "lag": self.lag,
            "partitions": [{**asdict(p), "lag": p.lag} for p in self.partitions],
            "retry_tiers": {str(tier): depth for tier, depth in self.retry_depths.items()},
            "dead_letters": self.dead_letters,
            "last_error": error,
            "infrastructure_waits": [_jsonable(w) for w in self.waits],
            "quarantined": self.quarantined,
            "database_error": self.database_error,
        }


async def groups_status(
    connection: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    consumers: Iterable[Consumer],
    tiers: int,
) -> list[GroupStatus]:
    """The status of every group in ``consumers``."""
    recorded = await _recorded(sessions)
    offsets = _Offsets(connection)
    await offsets.start()
    try:
        return [await _group(offsets, c, tiers, recorded) for c in consumers]
    finally:
        await offsets.stop()


class _Recorded:
    """What the runtime wrote to ``messaging`` (empty, with the error, when unreachable)."""

    def __init__(self, error: str | None = None) -> None:
        self.errors: dict[str, dict[str, Any]] = {}
        self.waits: dict[str, list[dict[str, Any]]] = {}
        self.quarantined: dict[str, int] = {}
        self.database_error = error


async def _recorded(sessions: async_sessionmaker[AsyncSession]) -> _Recorded:
    found = _Recorded()
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), sessions() as session:
            found.errors = await last_errors(session)
            found.waits = await current_waits(session)
            found.quarantined = await unresolved_counts(session)
    except Exception as error:
        if infrastructure_cause(error) is None:
            raise
        return _Recorded(describe(error))
    return found


async def _group(
    offsets: _Offsets, consumer: Consumer, tiers: int, recorded: _Recorded
) -> GroupStatus:
    committed = await offsets.committed(consumer.name)
    main = await offsets.lags(consumer.topics, committed)
    depths = {}
    for tier, topic in enumerate(retry_topics(consumer.name, tiers), start=1):
        depths[tier] = sum(p.lag for p in await offsets.lags([topic], committed))
    dead = await offsets.retained(dead_letter_topic(consumer.name))
    return GroupStatus(
        consumer.name,
        main,
        depths,
        dead,
        recorded.errors.get(consumer.name),
        recorded.waits.get(consumer.name, []),
        recorded.quarantined.get(consumer.name, 0),
        recorded.database_error,
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


class _Offsets:
    """Offsets of topics and groups, through one admin client and one group-less consumer."""

    def __init__(self, connection: KafkaConnection) -> None:
        self._admin = AIOKafkaAdminClient(**connection.client_options())
        self._consumer = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)

    async def start(self) -> None:
        await self._admin.start()
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def committed(self, group: str) -> dict[TopicPartition, int]:
        found = await self._admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}

    async def partitions(self, topic: str) -> list[TopicPartition]:
        numbers = self._consumer.partitions_for_topic(topic)
        if not numbers:
            await self._consumer._client.force_metadata_update()
            numbers = self._consumer.partitions_for_topic(topic) or set()
        return [TopicPartition(topic, n) for n in sorted(numbers)]

    async def lags(
        self, topics: Sequence[str], committed: dict[TopicPartition, int]
    ) -> list[PartitionLag]:
        tps = [tp for topic in topics for tp in await self.partitions(topic)]
        if not tps:
            return []
        ends = await self._consumer.end_offsets(tps)
        return [PartitionLag(tp.topic, tp.partition, committed.get(tp), ends[tp]) for tp in tps]

    async def retained(self, topic: str) -> int:
        """Records currently kept in ``topic`` (end minus beginning, over its partitions)."""
        tps = await self.partitions(topic)
        if not tps:
            return 0
        ends = await self._consumer.end_offsets(tps)
        starts = await self._consumer.beginning_offsets(tps)
        return sum(ends[tp] - starts[tp] for tp in tps)

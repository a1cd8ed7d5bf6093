"""Reading dead-letter topics: a bounded scan from the start, without a consumer group.

The scan stops at the end offsets taken when it starts, so an operation works on a stable
snapshot even while the runtime keeps dead-lettering. No offsets are committed anywhere.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from consumers.operations.conventions import dead_letter_topic, group_of
from consumers.operations.errors import UnknownGroup
from consumers.operations.kafka_clients import ConsumerAndAdmin
from consumers.operations.records import DeadLetter
from consumers.operations.selection import Selection
from foundation.kafka import KafkaConnection

Ranges = dict[TopicPartition, tuple[int, int]]  # [first, stop) per partition
IDLE_SECONDS = 10.0


class DeadLetterReader(ConsumerAndAdmin):
    """An unsubscribed consumer that scans ``<group>.dlq`` topics (use ``async with``)."""

    def __init__(self, connection: KafkaConnection, *, group_prefix: str = "") -> None:
        super().__init__(
            AIOKafkaConsumer(
                **connection.client_options(),
                enable_auto_commit=False,
                isolation_level="read_committed",
                fetch_max_wait_ms=100,  # a bounded scan: do not let the broker hold an empty fetch
            ),
            AIOKafkaAdminClient(**connection.client_options()),
        )
        self._topics: set[str] = set()
        self._group_prefix = group_prefix

    async def _started(self) -> None:
        self._topics = set(await self._admin.list_topics())

    def groups(self) -> list[str]:
        """Every consumer group of the deployment (its group prefix) with a dead-letter topic."""
        return sorted(
            g for g in map(group_of, self._topics) if g and g.startswith(self._group_prefix)
        )

    def has_topic(self, topic: str) -> bool:
        """True when ``topic`` exists on the cluster."""
        return topic in self._topics

    async def topic_exists_now(self, topic: str) -> bool:
        """True when ``topic`` exists on the cluster right now (not as listed at the start)."""
        return topic in await self._admin.list_topics()

    async def partitions_of(self, group: str) -> list[TopicPartition]:
        """The partitions of the group's dead-letter topic; :class:`UnknownGroup` if none."""
        topic = dead_letter_topic(group)
        partitions: list[int] = []
        if topic in self._topics:  # only describe existing topics: never auto-create one
            (described,) = await self._admin.describe_topics([topic])
            partitions = [p["partition"] for p in described["partitions"]]
        if not partitions:
            raise UnknownGroup(
                f"unknown consumer group {group!r}: there is no topic {topic}. "
                + _known_groups(group, self.groups())
            )
        return [TopicPartition(topic, p) for p in sorted(partitions)]

    async def scan(self, selection: Selection) -> AsyncIterator[DeadLetter]:
        """Every dead letter of ``selection.group`` that matches ``selection``."""
        ranges = await self._ranges_for(selection)
        async for record in self._read(ranges):
            if selection.matches(record):
                yield record

    async def fetch(
        self, group: str, wanted: Mapping[int, set[int]]
    ) -> dict[tuple[int, int], DeadLetter]:
        """The dead letters at ``{partition: {offsets}}``, keyed by (partition, offset)."""
        by_partition = {tp.partition: tp for tp in await self.partitions_of(group)}
        ranges = {
            by_partition[p]: (min(offsets), max(offsets) + 1)
            for p, offsets in wanted.items()
            if offsets and p in by_partition
        }
        found: dict[tuple[int, int], DeadLetter] = {}
        async for record in self._read(ranges):
            if record.offset in wanted.get(record.partition, ()):
                found[(record.partition, record.offset)] = record
        return found

    async def _ranges_for(self, selection: Selection) -> Ranges:
        tps = [
            tp
            for tp in await self.partitions_of(selection.group)
            if not selection.partitions or tp.partition in selection.partitions
        ]
        self._consumer.assign(tps)  # tracks the topic's metadata before asking for offsets
        begin = await self._consumer.beginning_offsets(tps)
        end = await self._consumer.end_offsets(tps)
        since = await self._offsets_at(tps, selection.since)
        until = (
            await self._offsets_at(tps, selection.until + timedelta(milliseconds=1))
            if (selection.until)
            else {}
        )
        ranges: Ranges = {}
        for tp in tps:
            first = max(begin[tp], since.get(tp, 0), selection.offsets.first or 0)
            stop = min(end[tp], until.get(tp, end[tp]))
            if selection.offsets.last is not None:
                stop = min(stop, selection.offsets.last + 1)
            if first < stop:
                ranges[tp] = (first, stop)
        return ranges

    async def _offsets_at(
        self, tps: list[TopicPartition], at: datetime | None
    ) -> dict[TopicPartition, int]:
        """The first offset at or after ``at`` per partition (the end when none is)."""
        if at is None or not tps:
            return {}
        found = await self._consumer.offsets_for_times(
            {tp: int(at.timestamp() * 1000) for tp in tps}
        )
        end = await self._consumer.end_offsets(tps)
        return {tp: found[tp].offset if found.get(tp) else end[tp] for tp in tps}

    async def _read(self, ranges: Ranges) -> AsyncIterator[DeadLetter]:
        if not ranges:
            return
        self._consumer.assign(list(ranges))
        for tp, (first, _) in ranges.items():
            self._consumer.seek(tp, first)
        pending = dict(ranges)
        idle_since = time.monotonic()
        while True:
            for tp in list(pending):
                if await self._consumer.position(tp) >= pending[tp][1]:
                    del pending[tp]
            if not pending:
                return
            if time.monotonic() - idle_since > IDLE_SECONDS:
                return  # the rest was deleted by retention meanwhile
            batches = await self._consumer.getmany(*pending, timeout_ms=500, max_records=500)
            if batches:
                idle_since = time.monotonic()
            for tp, records in batches.items():
                stop = pending.get(tp, (0, 0))[1]
                for record in records:
                    if record.offset < stop:
                        yield _dead_letter(record)


def _known_groups(wanted: str, groups: list[str], shown: int = 8) -> str:
    """A hint naming the groups that do have dead letters, closest names first."""
    if not groups:
        return "No group has a dead-letter topic yet."
    close = difflib.get_close_matches(wanted, groups, n=3, cutoff=0.6)
    if close:
        return f"Did you mean {' or '.join(close)}? (`orderflow dlq ls` lists every group)"
    more = f" and {len(groups) - shown} more" if len(groups) > shown else ""
    return f"Groups with a dead-letter topic: {', '.join(groups[:shown])}{more}"


def _dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=record.key or b"",
        value=record.value or b"",
        headers=[(name, value) for name, value in (record.headers or ())],
    )

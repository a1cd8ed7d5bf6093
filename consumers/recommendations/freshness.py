"""How far behind the recommendations group is, measured and recorded for the route.

*Stale* means: an order event has waited for the group longer than the allowed staleness. The
probe reads the group's committed offset on each partition of its topics and, where records
wait beyond it, the timestamp of the oldest one: ``behind_seconds`` is the age of the oldest
record not yet handled (0 when nothing waits). Measured against Kafka, not the model's last
update: a quiet shop (nothing to handle) is not stale, a stuck consumer is.

The probe runs as a periodic job (``recommendations:freshness``) and writes one row per group
to ``recommendations.freshness``; API processes read that row with the model, so they need no
Kafka client of their own and a deployment measures once, however many API processes it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.recommendations.tables import freshness
from consumers.runtime import describe
from foundation.kafka import KafkaConnection

log = structlog.get_logger("orderflow.recommendations")

BEHIND = Gauge(
    "orderflow_recommendations_behind_seconds",
    "Age of the oldest order event the recommendations group has not handled (0: none waits)",
)
FETCH_SECONDS = 5.0


@dataclass(frozen=True)
class Freshness:
    """One measurement: the oldest waiting record's age and how many records wait."""

    behind_seconds: float
    lag: int


class FreshnessProbe:
    """Measures one group over its topics with one admin client and one group-less consumer."""

    def __init__(self, connection: KafkaConnection, group: str, topics: Sequence[str]) -> None:
        self._group = group
        self._topics = tuple(topics)
        self._admin = AIOKafkaAdminClient(**connection.client_options())
        self._reader = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)

    async def start(self) -> None:
        """Connect both clients (both closed again if either cannot start)."""
        try:
            await self._admin.start()
            await self._reader.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Close both clients."""
        await self._reader.stop()
        await self._admin.close()

    async def measure(self) -> Freshness:
        """The group's freshness right now."""
        committed = await self._admin.list_consumer_group_offsets(self._group)
        partitions = await self._partitions()
        if not partitions:
            return Freshness(0.0, 0)
        ends = await self._reader.end_offsets(partitions)
        starts = await self._reader.beginning_offsets(partitions)
        waiting: dict[TopicPartition, int] = {}
        for tp in partitions:
            seen = committed[tp].offset if tp in committed else -1
            position = max(seen, starts[tp])
            if position < ends[tp]:
                waiting[tp] = position
        lag = sum(ends[tp] - position for tp, position in waiting.items())
        oldest = [await self._timestamp(tp, position) for tp, position in waiting.items()]
        ages = [time.time() - stamp for stamp in oldest if stamp is not None]
        return Freshness(max([0.0, *ages]), lag)

    async def _partitions(self) -> list[TopicPartition]:
        await self._reader._client.force_metadata_update()  # partitions of topics not seen yet
        return [
            TopicPartition(topic, number)
            for topic in self._topics
            for number in sorted(self._reader.partitions_for_topic(topic) or ())
        ]

    async def _timestamp(self, tp: TopicPartition, offset: int) -> float | None:
        """When the record at ``offset`` of ``tp`` was written (seconds), None if unread."""
        self._reader.assign([tp])
        self._reader.seek(tp, offset)
        batches = await self._reader.getmany(
            tp, timeout_ms=int(FETCH_SECONDS * 1000), max_records=1
        )
        records = batches.get(tp, [])
        return records[0].timestamp / 1000 if records else None


async def record_freshness(
    sessions: async_sessionmaker[AsyncSession], group: str, measured: Freshness
) -> None:
    """Write the group's row (one per group, replaced at every measurement)."""
    values = {"behind_seconds": measured.behind_seconds, "lag": measured.lag}
    statement = insert(freshness).values(consumer=group, **values)
    statement = statement.on_conflict_do_update(
        index_elements=[freshness.c.consumer], set_={**values, "checked_at": func.now()}
    )
    async with sessions.begin() as session:
        await session.execute(statement)


async def run_freshness_probe(
    sessions: async_sessionmaker[AsyncSession],
    connection: KafkaConnection,
    group: str,
    topics: Sequence[str],
    stop: asyncio.Event,
    *,
    interval_seconds: float,
) -> None:
    """Measure and record every ``interval_seconds`` until ``stop``; a failed round (broker or
    database away) is logged and tried again at the next one, never fatal."""
    probe: FreshnessProbe | None = None
    try:
        while not stop.is_set():
            try:
                if probe is None:
                    fresh = FreshnessProbe(connection, group, topics)
                    await fresh.start()
                    probe = fresh
                measured = await probe.measure()
                BEHIND.set(measured.behind_seconds)
                await record_freshness(sessions, group, measured)
            except Exception as error:
                log.warning("freshness_not_measured", group=group, error=describe(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)
    finally:
        if probe is not None:
            await probe.stop()

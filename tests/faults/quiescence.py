"""Wait until the deployment is at rest: nothing left to publish, consume or send.

At rest means, for a few seconds in a row: no outbox row waiting (parked rows do not count:
they never move without an operator, and the invariants report them), every consumer group
committed up to the end of its topics and retry tiers, and no email waiting to be sent.

A deployment still catching up is not stuck: the wait goes on while it makes progress (a group
commits further, fewer rows or emails wait), so a busy machine makes it slower, not failing;
what makes no progress for ``within`` seconds is reported, and nothing waits longer than
``at_most`` seconds in all.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from foundation.kafka import KafkaConnection
from tests.faults.collect import deployed_groups, group_topics

PENDING = """
    SELECT (SELECT count(*) FROM outbox.pending) AS "outbox rows",
           (SELECT count(*) FROM notifications.notifications WHERE status = 'pending') AS emails
"""


@dataclass
class Rest:
    """How waiting for rest went: ``busy`` is None when the deployment came to rest; ``trace``
    lists what was still busy, each time that changed (seconds since the wait began)."""

    busy: str | None = None
    trace: list[str] = field(default_factory=list)


@dataclass
class Progress:
    """The furthest the deployment got: committed offsets summed over every group, and the
    fewest outbox rows and emails waiting. Any step forward is progress."""

    committed: int = -1
    waiting: int | None = None

    def advanced(self, committed: int, waiting: int) -> bool:
        """Record the latest reading; True when it is further than any before. A failed
        reading (negative: the infrastructure did not answer) is never progress."""
        if committed < 0 or waiting < 0:
            return False
        further = committed > self.committed or (
            self.waiting is not None and waiting < self.waiting
        )
        self.committed = max(self.committed, committed)
        self.waiting = waiting if self.waiting is None else min(self.waiting, waiting)
        return further


async def wait_until_quiet(
    dsn: str,
    kafka: KafkaConnection,
    *,
    within: float,
    at_most: float = 300.0,
    calm_for: float = 3.0,
) -> Rest:
    """Poll once a second until at rest for ``calm_for`` seconds; give up after ``within``
    seconds without progress, or after ``at_most`` seconds."""
    began = time.monotonic()
    rest, progress = Rest(), Progress()
    calm_since: float | None = None
    moved = began
    async with GroupLags(kafka) as lags:
        while (now := time.monotonic()) - moved < within and now - began < at_most:
            reading = await _reading(dsn, lags)
            now = time.monotonic()
            if reading.busy != rest.busy or not rest.trace:
                rest.trace.append(f"+{now - began:.0f} s: {reading.busy or 'at rest'}")
            rest.busy = reading.busy
            if progress.advanced(reading.committed, reading.waiting):
                moved = now
            calm_since = (calm_since or now) if reading.busy is None else None
            if calm_since is not None and now - calm_since >= calm_for:
                return rest
            await asyncio.sleep(1.0)
    stalled = now - moved >= within
    cause = f"no progress for {within:.0f} s" if stalled else f"still busy after {at_most:.0f} s"
    rest.busy = f"{rest.busy or 'not calm for long enough'} ({cause})"
    rest.trace.append(f"+{now - began:.0f} s: {cause}")
    return rest


@dataclass(frozen=True)
class Reading:
    """One look at the deployment: what is busy, and how far it got."""

    busy: str | None
    committed: int
    waiting: int


async def _reading(dsn: str, lags: GroupLags) -> Reading:
    try:
        db = await asyncpg.connect(dsn)
        try:
            pending = await db.fetchrow(PENDING)
        finally:
            await db.close()
        groups = await lags.read()
    except (OSError, asyncpg.PostgresError, KafkaError) as error:
        return Reading(f"infrastructure not answering: {error!r}", -1, -1)
    reasons = [f"{n} {what} waiting" for what, n in pending.items() if n]
    behind = {group: lag.behind for group, lag in groups.items() if lag.behind}
    if behind:
        reasons.append(f"consumer groups behind: {behind}")
    committed = sum(lag.committed for lag in groups.values())
    return Reading("; ".join(reasons) or None, committed, sum(pending.values()))


@dataclass(frozen=True)
class Lag:
    """One group over its topics and retry tiers: records not yet committed, and the sum of
    its committed offsets."""

    behind: int
    committed: int


class GroupLags:
    """Records not yet committed by each group over its topics and retry tiers, read with
    one admin client and one consumer for the whole wait (polled every second)."""

    def __init__(self, kafka: KafkaConnection) -> None:
        self._admin = AIOKafkaAdminClient(**kafka.client_options())
        self._consumer = AIOKafkaConsumer(**kafka.client_options())
        self._groups = deployed_groups()

    async def __aenter__(self) -> GroupLags:
        await self._admin.start()
        await self._consumer.start()
        await self._consumer._client.force_metadata_update()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def read(self) -> dict[str, Lag]:
        """Each group's lag now."""
        lags = {}
        for group in self._groups:
            offsets = await self._admin.list_consumer_group_offsets(group.name)
            partitions = [
                TopicPartition(topic, p)
                for topic in sorted(group_topics(group))
                for p in self._consumer.partitions_for_topic(topic) or ()
            ]
            ends = await self._consumer.end_offsets(partitions)
            committed = {tp: offsets[tp].offset if tp in offsets else 0 for tp in ends}
            behind = sum(end - committed[tp] for tp, end in ends.items())
            lags[group.name] = Lag(behind, sum(committed.values()))
        return lags

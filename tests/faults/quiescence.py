"""Wait until the deployment is at rest: nothing left to publish, consume or send.

At rest means, for a few seconds in a row: no outbox row waiting (parked rows do not count:
they never move without an operator, and the invariants report them), every consumer group
committed up to the end of its topics and retry tiers, and no email waiting to be sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from foundation.kafka import KafkaConnection
from tests.faults.collect import deployed_groups, group_topics
from tests.support.polling import eventually

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


async def wait_until_quiet(
    dsn: str, kafka: KafkaConnection, *, within: float, calm_for: float = 3.0
) -> Rest:
    """Poll once a second until at rest for ``calm_for`` seconds, or ``within`` has passed."""
    began = time.monotonic()
    rest = Rest()
    calm_since: float | None = None

    async def at_rest(lags: GroupLags) -> bool:
        nonlocal calm_since
        busy = await _busy(dsn, lags)
        now = time.monotonic()
        if busy != rest.busy or not rest.trace:
            rest.trace.append(f"+{now - began:.0f} s: {busy or 'at rest'}")
        rest.busy = busy
        calm_since = (calm_since or now) if busy is None else None
        return calm_since is not None and now - calm_since >= calm_for

    async with GroupLags(kafka) as lags:
        try:
            await eventually(lambda: at_rest(lags), within, "rest", every=1.0)
        except TimeoutError:
            rest.busy = rest.busy or "not calm for long enough"
    return rest


async def _busy(dsn: str, lags: GroupLags) -> str | None:
    try:
        db = await asyncpg.connect(dsn)
        try:
            pending = await db.fetchrow(PENDING)
        finally:
            await db.close()
        behind = {group: lag for group, lag in (await lags.read()).items() if lag}
    except (OSError, asyncpg.PostgresError, KafkaError) as error:
        return f"infrastructure not answering: {error!r}"
    reasons = [f"{n} {what} waiting" for what, n in pending.items() if n]
    if behind:
        reasons.append(f"consumer groups behind: {behind}")
    return "; ".join(reasons) or None


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

    async def read(self) -> dict[str, int]:
        """Each group's lag now."""
        lags = {}
        for group in self._groups:
            committed = await self._admin.list_consumer_group_offsets(group.name)
            partitions = [
                TopicPartition(topic, p)
                for topic in sorted(group_topics(group))
                for p in self._consumer.partitions_for_topic(topic) or ()
            ]
            ends = await self._consumer.end_offsets(partitions)
            lags[group.name] = sum(
                end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()
            )
        return lags

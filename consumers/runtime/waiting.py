"""Waiting out the infrastructure: a batch the database or the broker failed runs again.

The partition's worker keeps its batch and runs it again after a bounded exponential backoff
with jitter (tenacity), for as long as it takes: an outage is nobody's input, so nothing is
dead-lettered, skipped or counted against a record. The records that arrive meanwhile queue
behind it (the poll loop stops fetching a partition whose queue is full), and the poll loop
keeps the member in its group.

A wait ends early only when the partition is being revoked or the process stops (the
``cutoff`` is set): the batch is then abandoned uncommitted, and whoever reads the partition
next starts from its last commit.

Every failed run counts in ``orderflow_consumer_infrastructure_waits_total{group,cause}``;
``orderflow_consumer_infrastructure_waiting_since_seconds{group}`` holds when the oldest wait
in progress began (0 when none), and the state is written (best effort: the database may be
what is down) to ``messaging.consumer_waits`` for ``orderflow consumers status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from aiokafka import TopicPartition
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from consumers.runtime import metrics
from consumers.runtime.errors import InfrastructureUnavailable, describe
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.wait_records import WaitReport

log = structlog.get_logger("orderflow.consumers")
T = TypeVar("T")


class BatchAbandoned(Exception):
    """A wait was cut short (revocation, shutdown): the batch was not committed."""


class InfrastructureWaits:
    """The infrastructure waits of one consumer group's partitions."""

    def __init__(
        self, group: str, policy: RetryPolicy, report: WaitReport, cutoff: asyncio.Event
    ) -> None:
        self._group = group
        self._policy = policy
        self._report = report
        self._since: dict[TopicPartition, float] = {}
        self._cutoff = cutoff

    async def run(self, tp: TopicPartition, batch: Callable[[], Awaitable[T]]) -> T:
        """Run ``batch`` until it does not fail on the infrastructure; raise
        :class:`BatchAbandoned` when the wait is cut short."""

        async def before_sleep(state: RetryCallState) -> None:
            await self._failed(tp, state)

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(InfrastructureUnavailable),
            wait=wait_exponential_jitter(
                multiplier=self._policy.stall_backoff_seconds,
                max=self._policy.stall_backoff_max_seconds,
                jitter=self._policy.stall_backoff_seconds,
            ),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            result: T = await retrying(batch)
        finally:
            await self._ended(tp)
        return result

    async def _failed(self, tp: TopicPartition, state: RetryCallState) -> None:
        assert state.outcome is not None
        error = state.outcome.exception()
        assert isinstance(error, InfrastructureUnavailable)
        metrics.INFRASTRUCTURE_WAITS.labels(self._group, str(error.cause)).inc()
        first = tp not in self._since
        self._since.setdefault(tp, time.time())
        self._gauges()
        retry_in = state.upcoming_sleep
        (log.warning if first else log.info)(
            "waiting_for_infrastructure",
            group=self._group,
            topic=tp.topic,
            partition=tp.partition,
            cause=str(error.cause),
            attempt=state.attempt_number,
            retry_in=round(retry_in, 2),
            error=describe(error.error),
        )
        await self._report.waiting(min(self._since.values()), str(error.cause), error, self.waiting)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._cutoff.wait(), seconds)
        if self._cutoff.is_set():
            raise BatchAbandoned

    async def _ended(self, tp: TopicPartition) -> None:
        if self._since.pop(tp, None) is None:
            return
        self._gauges()
        log.info("infrastructure_back", group=self._group, topic=tp.topic, partition=tp.partition)
        if not self._since:
            await self._report.recovered()

    @property
    def waiting(self) -> int:
        """Partitions waiting now."""
        return len(self._since)

    def _gauges(self) -> None:
        metrics.INFRASTRUCTURE_WAITING_SINCE.labels(self._group).set(
            min(self._since.values(), default=0.0)
        )
        metrics.INFRASTRUCTURE_WAITING_PARTITIONS.labels(self._group).set(len(self._since))

"""Where a failed record goes next: the next retry tier or the dead-letter topic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from consumers.runtime import headers as h
from consumers.runtime import metrics
from consumers.runtime.dead_letters import Failure, failure_record, retry_at
from consumers.runtime.errors import FailureClass
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.topics import dead_letter_topic, retry_topic, tier_of
from events import KafkaRecord
from producers import publish_records

log = structlog.get_logger("orderflow.consumers")


@dataclass(frozen=True)
class Failed:
    """A record that failed, with its failure and its class."""

    record: ConsumerRecord[bytes, bytes]
    failure: Failure
    kind: FailureClass


@dataclass(frozen=True)
class Route:
    """The record to publish for a failure, and the tier it goes to (0 for the DLQ)."""

    record: KafkaRecord
    tier: int
    reason: str


def route(group: str, failed: Failed, policy: RetryPolicy, now: datetime) -> Route:
    """Transient failures climb the tiers, then die as ``retries_exhausted``; others die now."""
    failure = failed.failure
    if failed.kind is FailureClass.TRANSIENT:
        tier = tier_of(group, failed.record.topic) + 1
        if tier <= policy.tiers:
            when = retry_at(policy.tier_delays[tier - 1], now)
            record = failure_record(
                failed.record,
                group=group,
                topic=retry_topic(group, tier),
                failure=Failure(failure.error, h.REASON_TRANSIENT, failure.attempts),
                retry=(tier, when),
                now=now,
            )
            return Route(record, tier, h.REASON_TRANSIENT)
        failure = Failure(failure.error, h.REASON_RETRIES_EXHAUSTED, failure.attempts)
    record = failure_record(
        failed.record, group=group, topic=dead_letter_topic(group), failure=failure, now=now
    )
    return Route(record, 0, failure.reason)


async def publish_failures(
    producer: AIOKafkaProducer, group: str, failures: Sequence[Failed], policy: RetryPolicy
) -> list[Route]:
    """Publish every failure to its next topic and wait for the acks (before any commit)."""
    if not failures:
        return []
    now = datetime.now(UTC)
    routes = [route(group, f, policy, now) for f in failures]
    results = await publish_records(producer, [r.record for r in routes])
    for result in results:
        if isinstance(result, BaseException):
            raise result
    for failed, sent in zip(failures, routes, strict=True):
        _count(group, sent)
        log.warning(
            "record_failed",
            topic=failed.record.topic,
            partition=failed.record.partition,
            offset=failed.record.offset,
            sent_to=sent.record.topic,
            reason=sent.reason,
            error=f"{type(failed.failure.error).__name__}: {failed.failure.error}",
        )
    return routes


def _count(group: str, sent: Route) -> None:
    if sent.tier:
        metrics.RETRIED.labels(group, str(sent.tier)).inc()
    else:
        metrics.DEAD_LETTERED.labels(group, sent.reason).inc()
    metrics.LAST_ERROR.labels(group).set_to_current_time()

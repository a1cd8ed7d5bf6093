"""Where a failed record goes next: the next retry tier, the dead-letter topic, or quarantine.

Publishing a failure can itself fail in two ways. The broker (or the network to it) fails: an
infrastructure failure, raised so the batch waits and runs again. Or the broker refuses this
very record — its copy with the ``x-*`` headers is larger than the broker or the producer
accepts — or its headers cannot be built at all: the record is then handed back for the
quarantine (:mod:`consumers.runtime.quarantine`), so it still leaves its partition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from consumers.runtime import headers as h
from consumers.runtime import metrics
from consumers.runtime.dead_letters import Failure, failure_record, retry_at
from consumers.runtime.errors import (
    RECORD_REJECTIONS,
    Cause,
    FailureClass,
    InfrastructureUnavailable,
    describe,
)
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.quarantine import TOO_LARGE, UNBUILDABLE, Quarantined
from consumers.runtime.topics import dead_letter_topic, retry_topic, tier_of
from events import KafkaRecord
from events.codec import MAX_IDENTIFIER_CHARS, PRODUCER_VERSION
from foundation import tracing

log = structlog.get_logger("orderflow.consumers")

Outcome = object  # a RecordMetadata, or the exception the producer or the broker answered


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


@dataclass
class Routed:
    """What became of a batch's failures: published, or to be quarantined."""

    published: list[tuple[Failed, Route]] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)


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
    producer: AIOKafkaProducer,
    group: str,
    failures: Sequence[Failed],
    policy: RetryPolicy,
    done: set[int],
) -> Routed:
    """Publish every failure to its next topic and wait for the acks (before any commit).

    ``done`` holds the offsets an earlier run of the same batch already published: they are
    not published twice. Raises :class:`InfrastructureUnavailable` when the broker fails.
    """
    routed = Routed()
    planned: list[tuple[Failed, Route]] = []
    now = datetime.now(UTC)
    for failed in failures:
        if failed.record.offset in done:
            continue
        try:
            planned.append((failed, route(group, failed, policy, now)))
        except Exception as error:  # headers that cannot be built: keep the record instead
            routed.quarantine.append(_quarantined(failed, UNBUILDABLE, error))
    outcomes = await _send_all(producer, [r.record for _, r in planned])
    broker_error: BaseException | None = None
    for (failed, sent), answer in zip(planned, outcomes, strict=True):
        outcome = answer
        if isinstance(answer, RECORD_REJECTIONS):
            outcome = await _send_alone(producer, sent.record)  # the batch, or this record?
        if isinstance(outcome, RECORD_REJECTIONS):
            routed.quarantine.append(_quarantined(failed, TOO_LARGE, outcome))
        elif isinstance(outcome, ValueError | TypeError):
            routed.quarantine.append(_quarantined(failed, UNBUILDABLE, outcome))
        elif isinstance(outcome, BaseException):
            broker_error = broker_error or outcome
        else:
            done.add(failed.record.offset)
            routed.published.append((failed, sent))
            report_failed(group, failed, sent)
            if tracing.tracing_on():
                _trace(group, failed, sent)
    if broker_error is not None:
        raise InfrastructureUnavailable(Cause.BROKER, broker_error) from broker_error
    return routed


async def _send_all(producer: AIOKafkaProducer, records: Sequence[KafkaRecord]) -> list[Outcome]:
    """Send ``records`` in order and wait for every answer; stop sending at the first error
    that is not about the record itself (the broker is away: the rest would only time out)."""
    pending: list[asyncio.Future[object] | BaseException] = []
    stopped_by: BaseException | None = None
    for record in records:
        try:
            pending.append(
                await producer.send(
                    record.topic, value=record.value, key=record.key, headers=record.headers
                )
            )
        except Exception as error:  # refused before sending: too large, or no metadata
            pending.append(error)
            if not isinstance(error, (*RECORD_REJECTIONS, ValueError, TypeError)):
                stopped_by = error
                break
    outcomes = [i if isinstance(i, BaseException) else await _answer(i) for i in pending]
    return [*outcomes, *([stopped_by] * (len(records) - len(outcomes)))]


async def _send_alone(producer: AIOKafkaProducer, record: KafkaRecord) -> Outcome:
    """Send one record on its own: a refused batch fails every record in it, innocent ones too."""
    try:
        future = await producer.send(
            record.topic, value=record.value, key=record.key, headers=record.headers
        )
    except Exception as error:
        return error
    return await _answer(future)


async def _answer(future: asyncio.Future[object]) -> Outcome:
    try:
        return await future
    except Exception as error:
        return error


def _quarantined(failed: Failed, reason: str, rejection: BaseException) -> Quarantined:
    failure = failed.failure
    return Quarantined(failed.record, reason, failure.reason, failure.error, rejection)


def report_failed(group: str, failed: Failed, sent: Route) -> None:
    """Count and log a failed record once its copy is on the retry or dead-letter topic."""
    if sent.tier:
        metrics.RETRIED.labels(group, str(sent.tier)).inc()
    else:
        metrics.DEAD_LETTERED.labels(group, sent.reason).inc()
    metrics.LAST_ERROR.labels(group).set_to_current_time()
    log.warning(
        "record_failed",
        topic=failed.record.topic,
        partition=failed.record.partition,
        offset=failed.record.offset,
        sent_to=sent.record.topic,
        reason=sent.reason,
        error=describe(failed.failure.error),
        producer_version=_producer_version(failed.record),
    )


def _producer_version(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The build that wrote the record (its ``ce_producerversion``), shortened and printable:
    which release to look at when one sends records a group cannot handle."""
    for name, value in record.headers or ():
        if name == PRODUCER_VERSION and value:
            text = bytes(value)[:MAX_IDENTIFIER_CHARS].decode("utf-8", "replace")
            return text if text.isprintable() else repr(text)
    return None


def _trace(group: str, failed: Failed, sent: Route) -> None:
    """A ``publish`` span for the retry or dead-letter copy, linked to the original message's
    creation context (the copy keeps the original ``traceparent``)."""
    tracing.record_publish(
        sent.record.topic,
        tracing.traceparent_header(failed.record.headers),
        {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": sent.record.topic,
            "messaging.consumer.group.name": group,
            "orderflow.failure.reason": sent.reason,
            "orderflow.original.topic": failed.record.topic,
            "orderflow.original.offset": failed.record.offset,
        },
    )

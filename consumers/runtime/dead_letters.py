"""Retry and dead-letter records: the original key, value and headers plus ``x-*`` headers.

The ``x-original-*`` headers are written once, from the first record that failed; a record
coming back from a retry tier (or an operator replay) keeps them. ``x-replay-*`` headers set by
the operator tooling are carried along untouched.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiokafka.structs import ConsumerRecord

from consumers.runtime import headers as h
from consumers.runtime.errors import message_of
from events import KafkaRecord

MAX_STACK_CHARS = 4000
MAX_MESSAGE_CHARS = 1000
# Longer than any attempt count or ISO-8601 time we write (an offset-aware time is 32).
MAX_SMALL_HEADER_CHARS = 64
# More attempts than any tier chain makes; a header claiming more is clamped to this.
MAX_ATTEMPTS = 1_000_000

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Failure:
    """One failed record: why, how often it was tried, and when it first failed."""

    error: BaseException
    reason: str
    attempts: int = 1


def header_value(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    """The last value of header ``name`` on ``record``, decoded; None when absent or binary."""
    for key, raw in reversed(record.headers or ()):
        if key == name and raw is not None:
            try:
                return bytes(raw).decode()
            except UnicodeDecodeError:
                return None
    return None


def small_header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    """Like :func:`header_value`, for headers that hold a number or a time: None when the
    value is longer than any valid one, so nothing is ever parsed out of megabytes."""
    raw = header_value(record, name)
    return raw if raw is not None and len(raw) <= MAX_SMALL_HEADER_CHARS else None


def failure_record(
    record: ConsumerRecord[bytes, bytes],
    *,
    group: str,
    topic: str,
    failure: Failure,
    retry: tuple[int, datetime] | None = None,
    now: datetime | None = None,
) -> KafkaRecord:
    """The record to publish on ``topic`` (a retry tier or the DLQ) for a failed ``record``.

    ``retry`` is ``(tier, not_before)`` for a retry record, None for a dead letter.
    """
    now = now or datetime.now(UTC)
    carried = [
        (name, value)
        for name, value in (record.headers or ())
        if not name.startswith(("x-original-", "x-exception-", "x-retry-"))
    ]
    added = {
        **_original(record, group),
        **_exception(record, failure, now),
    }
    if retry is not None:
        tier, not_before = retry
        added[h.RETRY_TIER] = str(tier)
        added[h.RETRY_NOT_BEFORE] = not_before.isoformat()
    headers = [*carried, *((k, v.encode()) for k, v in added.items())]
    return KafkaRecord(
        topic=topic, key=record.key or b"", value=record.value or b"", headers=headers
    )


def _original(record: ConsumerRecord[bytes, bytes], group: str) -> dict[str, str]:
    """The x-original-* headers: kept from a retried record, else taken from this one."""
    if header_value(record, h.ORIGINAL_TOPIC) is not None:
        kept = {name: header_value(record, name) for name in h.ORIGINAL_HEADERS}
        return {name: value for name, value in kept.items() if value is not None}
    return {
        h.ORIGINAL_TOPIC: record.topic,
        h.ORIGINAL_PARTITION: str(record.partition),
        h.ORIGINAL_OFFSET: str(record.offset),
        h.ORIGINAL_TIMESTAMP: str(record.timestamp),
        h.ORIGINAL_CONSUMER_GROUP: group,
    }


def _exception(
    record: ConsumerRecord[bytes, bytes], failure: Failure, now: datetime
) -> dict[str, str]:
    error = failure.error
    return {
        h.EXCEPTION_TYPE: type(error).__name__,
        h.EXCEPTION_REASON: failure.reason,
        h.EXCEPTION_MESSAGE: message_of(error)[:MAX_MESSAGE_CHARS],
        h.EXCEPTION_STACKTRACE: _stack(error),
        h.EXCEPTION_ATTEMPTS: str(min(MAX_ATTEMPTS, previous_attempts(record) + failure.attempts)),
        h.EXCEPTION_FIRST_FAILURE_AT: _first_failure(record) or now.isoformat(),
    }


def _stack(error: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(error))[-MAX_STACK_CHARS:]
    except Exception:  # a broken __str__ deep in the chain: the type still helps
        return type(error).__name__


def _first_failure(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The first failure time a retried record carries, if it is a valid time."""
    raw = small_header(record, h.EXCEPTION_FIRST_FAILURE_AT)
    return raw if raw is not None and _parse_time(raw) is not None else None


def previous_attempts(record: ConsumerRecord[bytes, bytes]) -> int:
    """Attempts made before this delivery (0 for a record never failed before).

    Only ASCII digits count: ``str.isdigit()`` accepts "²" and other digits ``int()`` refuses,
    and a header of thousands of digits is beyond ``int()``'s limit; both read as 0.
    """
    raw = small_header(record, h.EXCEPTION_ATTEMPTS)
    if raw is None or not raw.isascii() or not raw.isdigit():
        return 0
    return min(int(raw), MAX_ATTEMPTS)


def not_before(record: ConsumerRecord[bytes, bytes]) -> datetime | None:
    """When a retry record may be handled; None when it carries no (valid) time."""
    raw = small_header(record, h.RETRY_NOT_BEFORE)
    return _parse_time(raw) if raw is not None else None


def due_at(record: ConsumerRecord[bytes, bytes], delay_seconds: float, now: datetime) -> datetime:
    """When a record of a retry tier waiting ``delay_seconds`` is due: its ``x-retry-not-before``,
    but never later than ``now`` plus the tier's delay, so no header can hold a partition for
    longer than the tier waits (a forged or clock-skewed time is cut down to that)."""
    moment = not_before(record)
    latest = now + timedelta(seconds=delay_seconds)
    return now if moment is None else min(moment, latest)


def _parse_time(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def retry_at(delay_seconds: float, now: datetime | None = None) -> datetime:
    """The not-before time of a retry ``delay_seconds`` from ``now``."""
    return (now or datetime.now(UTC)) + timedelta(seconds=delay_seconds)

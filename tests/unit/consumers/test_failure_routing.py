"""Where a failed record goes and which headers it carries (no broker needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiokafka.structs import ConsumerRecord
from structlog.testing import capture_logs

from consumers.runtime import (
    PermanentError,
    RetryPolicy,
    TransientError,
    classify,
    dead_letter_topic,
    not_before,
    retry_topic,
    tier_of,
)
from consumers.runtime import headers as h
from consumers.runtime.dead_letters import Failure
from consumers.runtime.routing import Failed, report_failed, route
from events import PoisonMessage, PoisonReason

GROUP = "notifications"
POLICY = RetryPolicy(tier_delays=(5.0, 60.0))
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _record(
    topic: str = "orders.order.v1", headers: list[tuple[str, bytes]] | None = None
) -> ConsumerRecord[bytes, bytes]:
    headers = headers or [("ce_id", b"e-1"), (h.REPLAY_COUNT, b"1")]
    return ConsumerRecord(topic, 2, 41, 1_700_000_000_000, 0, b"k", b"v", None, 1, 1, headers)


def _headers(record_headers: list[tuple[str, bytes]]) -> dict[str, str]:
    return {k: v.decode() for k, v in record_headers}


def _failed(record: ConsumerRecord[bytes, bytes], error: BaseException) -> Failed:
    return Failed(record, Failure(error, str(classify(error)), attempts=3), classify(error))


def test_a_transient_failure_on_the_main_topic_goes_to_tier_one() -> None:
    sent = route(GROUP, _failed(_record(), TransientError("smtp down")), POLICY, NOW)

    headers = _headers(sent.record.headers)
    assert sent.record.topic == retry_topic(GROUP, 1) == "notifications.retry.1"
    assert (sent.record.key, sent.record.value) == (b"k", b"v")
    assert headers["ce_id"] == "e-1"
    assert headers[h.REPLAY_COUNT] == "1"  # carried forward untouched
    assert headers[h.ORIGINAL_TOPIC] == "orders.order.v1"
    assert headers[h.ORIGINAL_PARTITION] == "2"
    assert headers[h.ORIGINAL_OFFSET] == "41"
    assert headers[h.ORIGINAL_TIMESTAMP] == "1700000000000"
    assert headers[h.ORIGINAL_CONSUMER_GROUP] == GROUP
    assert headers[h.EXCEPTION_REASON] == "transient"
    assert headers[h.EXCEPTION_ATTEMPTS] == "3"
    assert headers[h.RETRY_TIER] == "1"
    assert datetime.fromisoformat(headers[h.RETRY_NOT_BEFORE]) == NOW + timedelta(seconds=5)
    assert headers[h.EXCEPTION_FIRST_FAILURE_AT] == NOW.isoformat()


def test_a_retried_record_keeps_the_first_original_and_climbs_to_the_dlq() -> None:
    first = route(GROUP, _failed(_record(), TransientError("down")), POLICY, NOW).record
    on_tier_1 = _record(retry_topic(GROUP, 1), first.headers)
    later = NOW + timedelta(seconds=6)
    second = route(GROUP, _failed(on_tier_1, TransientError("still")), POLICY, later).record
    on_tier_2 = _record(retry_topic(GROUP, 2), second.headers)
    last = route(GROUP, _failed(on_tier_2, TransientError("again")), POLICY, later).record

    assert second.topic == retry_topic(GROUP, 2)
    assert last.topic == dead_letter_topic(GROUP)
    headers = _headers(last.headers)
    assert headers[h.ORIGINAL_TOPIC] == "orders.order.v1"  # not the retry topic
    assert headers[h.EXCEPTION_REASON] == "retries_exhausted"
    assert headers[h.EXCEPTION_ATTEMPTS] == "9"
    assert headers[h.EXCEPTION_FIRST_FAILURE_AT] == NOW.isoformat()
    assert headers[h.EXCEPTION_MESSAGE] == "again"
    assert h.RETRY_TIER not in headers
    assert h.RETRY_NOT_BEFORE not in headers
    assert [k for k, _ in last.headers].count(h.ORIGINAL_TOPIC) == 1


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PoisonMessage(PoisonReason.INVALID_PAYLOAD, "total_minor: too small"), "invalid_payload"),
        (PermanentError("recipient rejected"), "permanent"),
    ],
)
def test_poison_and_permanent_failures_go_to_the_dlq_at_once(
    error: BaseException, reason: str
) -> None:
    failed = Failed(_record(), Failure(error, reason), classify(error))
    sent = route(GROUP, failed, POLICY, NOW)

    assert sent.record.topic == "notifications.dlq"
    assert _headers(sent.record.headers)[h.EXCEPTION_REASON] == reason


def test_tier_of_and_not_before() -> None:
    assert tier_of(GROUP, "notifications.retry.3") == 3
    assert tier_of(GROUP, "orders.order.v1") == 0
    assert tier_of(GROUP, "other.retry.1") == 0
    record = _record(headers=[(h.RETRY_NOT_BEFORE, NOW.isoformat().encode())])
    assert not_before(record) == NOW
    assert not_before(_record(headers=[(h.RETRY_NOT_BEFORE, b"soon")])) is None
    with pytest.raises(ValueError, match="start at 1"):
        retry_topic(GROUP, 0)


@pytest.mark.parametrize(
    ("header", "logged"),
    [
        (b"orderflow/0.9.0+c0ffee00c0ff", "orderflow/0.9.0+c0ffee00c0ff"),
        (None, None),
        (b"evil\x1b[2J" + b"x" * 500, repr("evil\x1b[2J" + "x" * 192)),
    ],
)
def test_a_failed_records_log_line_names_the_build_that_wrote_it(
    header: bytes | None, logged: str | None
) -> None:
    headers = [("ce_id", b"e-1")] + ([("ce_producerversion", header)] if header else [])
    failed = _failed(_record(headers=headers), PermanentError("no such customer"))
    sent = route(GROUP, failed, POLICY, NOW)

    with capture_logs() as logs:
        report_failed(GROUP, failed, sent)

    (line,) = [line for line in logs if line["event"] == "record_failed"]
    assert line["producer_version"] == logged
    assert line["sent_to"] == dead_letter_topic(GROUP)

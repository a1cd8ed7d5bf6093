"""Parsing every header is total and bounded: hostile values become clear failures, never
exceptions the runtime could mistake for an outage (and retry forever)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from aiokafka.structs import ConsumerRecord

from consumers.runtime import PermanentError
from consumers.runtime import headers as h
from consumers.runtime.dead_letters import (
    MAX_ATTEMPTS,
    Failure,
    due_at,
    failure_record,
    previous_attempts,
)
from events import PoisonMessage, PoisonReason, decode_record
from tests.unit.events.factories import order_placed, record_of

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
HUGE_NUMBER = "9" * 5000  # beyond int()'s 4,300-digit limit


def _with(name: str, value: bytes) -> list[tuple[str, bytes]]:
    record = record_of(order_placed())
    return [(n, v) for n, v in record.headers if n != name] + [(name, value)]


def _consumed(headers: list[tuple[str, bytes | None]]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("orders.order.v1", 0, 7, 0, 0, b"k", b"v", None, 1, 1, headers)


@pytest.mark.parametrize("version", ["²", "٣", HUGE_NUMBER, "1" * 7, "", "-1", " 2", "2\x00"])
def test_a_hostile_ce_type_version_is_an_unknown_type(version: str) -> None:
    headers = _with("ce_type", f"orderflow.orders.OrderPlaced.v{version}".encode())
    with pytest.raises(PoisonMessage) as raised:
        decode_record(record_of(order_placed()).value, headers)
    assert raised.value.reason is PoisonReason.UNKNOWN_TYPE
    assert len(str(raised.value)) < 400  # the 5,000 digits are not copied into the reason


@pytest.mark.parametrize("value", ["²", HUGE_NUMBER, str(2**63), "-1", "1e3", "0x10"])
def test_a_hostile_aggregate_version_is_a_malformed_header(value: str) -> None:
    headers = _with("aggregate_version", value.encode())
    with pytest.raises(PoisonMessage) as raised:
        decode_record(record_of(order_placed()).value, headers)
    assert raised.value.reason is PoisonReason.CANNOT_DECODE
    assert "aggregate_version" in str(raised.value)


@pytest.mark.parametrize("value", [b"a\x00b", b"x" * 100_000, "\u2028".encode()])
def test_a_correlation_id_unfit_for_logs_and_text_columns_is_replaced(value: bytes) -> None:
    decoded = decode_record(record_of(order_placed()).value, _with("correlation_id", value))
    assert decoded.envelope.correlation_id != value.decode()
    assert len(decoded.envelope.correlation_id) == 36  # a fresh uuid


@pytest.mark.parametrize(
    ("raw", "attempts"),
    [
        (b"12", 12),
        (HUGE_NUMBER.encode(), 0),
        ("²".encode(), 0),
        (b"-3", 0),
        (b"\xff\xfe", 0),
        (b"9" * 60, MAX_ATTEMPTS),
    ],
)
def test_previous_attempts_reads_only_small_ascii_numbers(raw: bytes, attempts: int) -> None:
    assert previous_attempts(_consumed([(h.EXCEPTION_ATTEMPTS, raw)])) == attempts


def test_a_dead_letter_is_built_whatever_the_headers_hold() -> None:
    hostile: list[tuple[str, bytes | None]] = [
        (h.EXCEPTION_ATTEMPTS, HUGE_NUMBER.encode()),
        (h.EXCEPTION_FIRST_FAILURE_AT, b"\xff not a time"),
        (h.ORIGINAL_TOPIC, b"\xff\xfe"),  # binary: taken from this record instead
        ("dup", b"1"),
        ("dup", b"2"),
        ("nothing", None),
        ("binary", bytes(range(256))),
    ]
    record = failure_record(
        _consumed(hostile),
        group="g",
        topic="g.dlq",
        failure=Failure(PermanentError("no"), "permanent"),
        now=NOW,
    )
    headers = {n: v for n, v in record.headers if n.startswith("x-")}
    assert headers[h.EXCEPTION_ATTEMPTS] == b"1"
    assert headers[h.EXCEPTION_FIRST_FAILURE_AT] == NOW.isoformat().encode()
    assert headers[h.ORIGINAL_TOPIC] == b"orders.order.v1"
    assert ("nothing", None) in cast(list[object], record.headers)  # null values stay null
    assert ("dup", b"2") in record.headers


@pytest.mark.parametrize(
    ("header", "due"),
    [
        (b"9999-12-31T23:59:59+00:00", NOW + timedelta(seconds=5)),  # cut to the tier's delay
        ((NOW + timedelta(seconds=2)).isoformat().encode(), NOW + timedelta(seconds=2)),
        ((NOW - timedelta(hours=1)).isoformat().encode(), NOW - timedelta(hours=1)),
        (b"x" * 10_000, NOW),  # unreadable: due now
        (b"\xff", NOW),
    ],
)
def test_a_retry_record_is_due_within_its_tiers_delay(header: bytes, due: datetime) -> None:
    assert due_at(_consumed([(h.RETRY_NOT_BEFORE, header)]), 5.0, NOW) == due

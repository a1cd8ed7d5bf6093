"""The record a quarantine replay publishes, and the ids an operator may type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import cast

import pytest

from consumers.operations import InvalidSelection
from consumers.operations.quarantine import parse_ids, replay_count, replay_record
from consumers.operations.quarantine_records import QuarantinedRecord

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _record(headers: list[tuple[str, bytes | None]]) -> QuarantinedRecord:
    return QuarantinedRecord(
        id=7,
        group="g",
        topic="orders.order.v1",
        partition=1,
        offset=9,
        key=b"k",
        key_size=1,
        value=b"v",
        value_size=1,
        value_sha256="-",
        complete=True,
        headers=headers,
        reason="too_large",
        failure_reason="permanent",
        exception_type="E",
        rejection="r",
        message="m",
        quarantined_at=NOW,
        replay_count=0,
        resolution=None,
        resolved_at=None,
        resolved_by=None,
    )


def test_a_replay_keeps_the_original_and_stamps_it_due_now() -> None:
    record = _record(
        [
            ("ce_id", b"e-1"),
            ("empty", None),
            ("x-original-topic", b"orders.order.v1"),
            ("x-retry-not-before", b"9999-01-01T00:00:00+00:00"),
            ("x-replay-count", b"2"),
        ]
    )
    replay_id = uuid.uuid4()

    sent = replay_record(record, "g.retry.1", replay_id)

    headers = cast(dict[str, bytes | None], dict(sent.headers))  # Kafka allows null values
    assert (sent.topic, sent.key, sent.value) == ("g.retry.1", b"k", b"v")
    assert headers["ce_id"] == b"e-1"
    assert headers["empty"] is None
    assert headers["x-original-topic"] == b"orders.order.v1"
    assert headers["x-replay-count"] == b"3"
    assert headers["x-replay-id"] == str(replay_id).encode()
    assert datetime.fromisoformat(bytes(headers["x-retry-not-before"] or b"").decode()).year < 9999


@pytest.mark.parametrize(("raw", "count"), [(b"2", 2), (b"9" * 5000, 0), ("²".encode(), 0)])
def test_replay_count_reads_only_small_numbers(raw: bytes, count: int) -> None:
    assert replay_count(_record([("x-replay-count", raw)])) == count


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "²", "9" * 40])
def test_an_id_that_is_not_a_small_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidSelection, match="dlq quarantine ls"):
        parse_ids([text])


def test_ids_as_typed() -> None:
    assert parse_ids(["12", "3"]) == [12, 3]

"""A replayed record is the original, stamped for the replay, due now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from consumers.operations import DeadLetter
from consumers.operations.republish import replay_record
from tests.unit.operations.factories import dead_letter

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def _headers(record: DeadLetter, **kw: object) -> dict[str, str]:
    job = uuid.UUID(int=7)
    out = replay_record(
        record, destination="notifications.retry.1", job_id=job, replay_count=2, now=NOW
    )
    assert out.topic == "notifications.retry.1"
    assert out.key == record.key
    assert out.value == record.value
    return {n: v.decode() for n, v in out.headers}


def test_the_replay_stamps_id_count_and_not_before() -> None:
    headers = _headers(dead_letter(replay_count=1))
    assert headers["x-replay-id"] == str(uuid.UUID(int=7))
    assert headers["x-replay-count"] == "2"
    assert headers["x-retry-not-before"] == NOW.isoformat()


def test_the_envelope_and_first_failure_survive_but_stale_retry_headers_do_not() -> None:
    record = dead_letter(extra={"x-retry-tier": "3", "x-retry-not-before": "2020-01-01T00:00:00"})
    headers = _headers(record)
    assert headers["ce_type"] == "orderflow.orders.OrderPlaced.v1"
    assert headers["x-original-topic"] == "orders.order.v1"
    assert headers["x-exception-attempts"] == "7"
    assert "x-retry-tier" not in headers
    names = [
        n
        for n, _ in replay_record(
            record, destination="d", job_id=uuid.uuid4(), replay_count=1, now=NOW
        ).headers
    ]
    assert names.count("x-retry-not-before") == 1

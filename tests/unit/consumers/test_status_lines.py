"""How ``orderflow consumers status`` words a wait, the quarantine and a database outage."""

from __future__ import annotations

from datetime import UTC, datetime

from consumers.runtime.status import GroupStatus, PartitionLag
from orderflow.cli.consumers import status_text

SINCE = datetime(2026, 11, 27, 9, 0, 5, tzinfo=UTC)


def _status(**fields: object) -> GroupStatus:
    base: dict[str, object] = {
        "group": "notifications",
        "partitions": [PartitionLag("orders.order.v1", 0, 10, 12)],
        "retry_depths": {1: 0},
        "dead_letters": 0,
    }
    return GroupStatus(**{**base, **fields})  # type: ignore[arg-type]


def test_a_wait_and_quarantined_records_are_shown() -> None:
    wait = {
        "since": SINCE,
        "updated_at": SINCE,
        "cause": "server_unavailable",
        "partitions": 3,
        "member": "host:42",
        "message": "DBAPIError: the database system is starting up",
        "stale": False,
    }
    text = status_text(_status(waits=[wait], quarantined=2))
    assert (
        "waiting on infrastructure since 2026-11-27 09:00:05 UTC (now): server_unavailable" in text
    )
    assert "3 partitions, host:42: DBAPIError: the database system is starting up" in text
    assert "quarantined: 2 unresolved (see `orderflow dlq quarantine ls`)" in text
    assert "last error: none" in text


def test_a_stale_wait_says_when_it_was_last_heard_of() -> None:
    wait = {
        "since": SINCE,
        "updated_at": SINCE,
        "cause": "broker",
        "partitions": 1,
        "member": "gone:1",
        "message": "KafkaConnectionError",
        "stale": True,
    }
    assert "(stale, last heard 09:00:05)" in status_text(_status(waits=[wait]))


def test_an_unreachable_database_is_said_once_and_kafka_is_still_shown() -> None:
    text = status_text(_status(database_error="ConnectionRefusedError: [Errno 111]"))
    assert "database unreachable (ConnectionRefusedError: [Errno 111])" in text
    assert "orders.order.v1[0]" in text
    assert "last error: none" not in text

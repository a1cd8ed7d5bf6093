"""Dead letters built in memory for unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from consumers.operations import DeadLetter


def dead_letter(
    *,
    partition: int = 0,
    offset: int = 0,
    reason: str = "permanent",
    ce_type: str = "orderflow.orders.OrderPlaced.v1",
    key: str = "order-1",
    at: datetime | None = None,
    replay_count: int | None = None,
    event_id: uuid.UUID | None = None,
    extra: dict[str, str] | None = None,
) -> DeadLetter:
    """A dead letter of group ``notifications`` with the conventional headers."""
    headers = {
        "ce_id": str(event_id or uuid.uuid4()),
        "ce_type": ce_type,
        "x-original-topic": "orders.order.v1",
        "x-original-partition": "2",
        "x-original-offset": "41",
        "x-original-consumer-group": "notifications",
        "x-exception-type": "SMTPServerDisconnected",
        "x-exception-reason": reason,
        "x-exception-attempts": "7",
        **({"x-replay-count": str(replay_count)} if replay_count is not None else {}),
        **(extra or {}),
    }
    moment = at or datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    return DeadLetter(
        topic="notifications.dlq",
        partition=partition,
        offset=offset,
        timestamp_ms=int(moment.timestamp() * 1000),
        key=key.encode(),
        value=b'{"order_id": "x"}',
        headers=[(k, v.encode()) for k, v in headers.items()],
    )

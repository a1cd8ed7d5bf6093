"""Events and records for the event-contract tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from events import new_envelope
from events.codec import KafkaRecord, encode_record
from events.schemas import OrderLine, OrderPlaced, OrderPlacedV1

_FIELDS = {
    "currency": "EUR",
    "lines": (OrderLine(sku="SKU-1", quantity=2, unit_price_minor=100),),
    "total_minor": 200,
}


def order_placed_v1() -> OrderPlacedV1:
    """An ``OrderPlaced`` as it was written before v2."""
    return OrderPlacedV1(
        order_id=uuid.uuid4(), customer_id=uuid.uuid4(), placed_at=datetime.now(UTC), **_FIELDS
    )


def order_placed(channel: str | None = "web") -> OrderPlaced:
    """An ``OrderPlaced`` as it is written today."""
    return OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        placed_at=datetime.now(UTC),
        channel=channel,
        **_FIELDS,
    )


def record_of(event: OrderPlaced | OrderPlacedV1, aggregate_version: int = 1) -> KafkaRecord:
    """The Kafka record the relay would publish for ``event``."""
    return encode_record(new_envelope(event, aggregate_version=aggregate_version))

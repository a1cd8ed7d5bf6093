"""Envelope ⇄ Kafka record: round trip, headers, and precise poison reasons."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from events import PoisonMessage, PoisonReason, bind_message_context, decode_record, new_envelope
from events.codec import encode_record
from events.schemas import OrderLine, OrderPlaced


def _placed() -> OrderPlaced:
    return OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=2, unit_price_minor=100),),
        total_minor=200,
        placed_at=datetime.now(UTC),
    )


def test_a_record_carries_the_cloudevents_headers_and_the_aggregate_key() -> None:
    bind_message_context("corr-123")
    event = _placed()

    record = encode_record(new_envelope(event, aggregate_version=1))

    headers = dict(record.headers)
    assert record.topic == "orders.order.v1"
    assert record.key == str(event.order_id).encode()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"orderflow.orders.OrderPlaced.v2"
    assert headers["ce_source"] == b"/orderflow/orders"
    assert headers["ce_subject"] == str(event.order_id).encode()
    assert headers["content-type"] == b"application/json"
    assert headers["correlation_id"] == b"corr-123"
    assert headers["aggregate_version"] == b"1"
    assert headers["traceparent"].startswith(b"00-")
    uuid.UUID(headers["ce_id"].decode())
    datetime.fromisoformat(headers["ce_time"].decode())


def test_decoding_a_published_record_gives_back_the_typed_event() -> None:
    event = _placed()
    envelope = new_envelope(event, aggregate_version=3)
    record = encode_record(envelope)

    decoded = decode_record(record.value, record.headers)

    assert decoded.event == event
    assert decoded.envelope.event_id == envelope.event_id
    assert decoded.envelope.aggregate_version == 3


def _headers_with(**changes: str | None) -> list[tuple[str, bytes]]:
    record = encode_record(new_envelope(_placed(), aggregate_version=1))
    headers = {k: v.decode() for k, v in record.headers}
    for name, value in changes.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return [(k, v.encode()) for k, v in headers.items()]


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b"{not json", _headers_with(), PoisonReason.CANNOT_DECODE),
        (b"{}", _headers_with(ce_type=None), PoisonReason.CANNOT_DECODE),
        (b"{}", _headers_with(ce_type="orderflow.orders.OrderEaten.v1"), PoisonReason.UNKNOWN_TYPE),
        (b"{}", _headers_with(ce_type="something-else"), PoisonReason.UNKNOWN_TYPE),
        (
            b"{}",
            _headers_with(ce_type="orderflow.orders.OrderPlaced.v99"),
            PoisonReason.UNKNOWN_VERSION,
        ),
        (b'{"order_id": "nope"}', _headers_with(), PoisonReason.INVALID_PAYLOAD),
        (None, _headers_with(), PoisonReason.CANNOT_DECODE),
    ],
)
def test_undecodable_records_are_poison_with_a_precise_reason(
    value: bytes | None, headers: list[tuple[str, bytes]], reason: PoisonReason
) -> None:
    with pytest.raises(PoisonMessage) as poison:
        decode_record(value, headers)

    assert poison.value.reason is reason
    assert poison.value.detail


def test_a_malformed_event_id_header_is_poison() -> None:
    record = encode_record(new_envelope(_placed(), aggregate_version=1))

    with pytest.raises(PoisonMessage) as poison:
        decode_record(record.value, _headers_with(ce_id="not-a-uuid"))

    assert poison.value.reason is PoisonReason.CANNOT_DECODE
    assert "ce_id" in poison.value.detail

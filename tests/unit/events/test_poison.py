"""Records that can never be handled are poison, with a reason the dead-letter path records."""

from __future__ import annotations

import json

import pytest

from events import PoisonMessage, PoisonReason, decode_record
from tests.unit.events.factories import order_placed, order_placed_v1, record_of

Headers = list[tuple[str, bytes]]


def _headers(**changes: bytes | None) -> Headers:
    headers = dict(record_of(order_placed()).headers)
    for name, value in changes.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return list(headers.items())


def _poison(value: bytes | None, headers: Headers) -> PoisonMessage:
    with pytest.raises(PoisonMessage) as poison:
        decode_record(value, headers)
    return poison.value


@pytest.mark.parametrize(
    ("headers", "reason", "in_detail"),
    [
        (_headers(ce_type=b"\xff\xfe"), PoisonReason.CANNOT_DECODE, "UTF-8"),
        (_headers(ce_time=None), PoisonReason.CANNOT_DECODE, "ce_time"),
        (_headers(ce_time=b"yesterday"), PoisonReason.CANNOT_DECODE, "ce_time"),
        (_headers(aggregate_version=b"two"), PoisonReason.CANNOT_DECODE, "aggregate_version"),
        (_headers(ce_id=None), PoisonReason.CANNOT_DECODE, "ce_id"),
        (_headers(ce_type=b"com.acme.OrderPlaced.v1"), PoisonReason.UNKNOWN_TYPE, "form"),
        (_headers(ce_type=b"orderflow.orders.OrderPlaced"), PoisonReason.UNKNOWN_TYPE, "form"),
        (
            _headers(ce_type=b"orderflow.orders.OrderEaten.v1"),
            PoisonReason.UNKNOWN_TYPE,
            "orders.OrderEaten",
        ),
        (
            _headers(ce_type=b"orderflow.orders.OrderPlaced.v3"),
            PoisonReason.UNKNOWN_VERSION,
            "no version 3",
        ),
    ],
)
def test_bad_headers_give_a_precise_reason(
    headers: Headers, reason: PoisonReason, in_detail: str
) -> None:
    poison = _poison(record_of(order_placed()).value, headers)

    assert poison.reason is reason
    assert in_detail in poison.detail


def test_an_invalid_payload_names_the_version_and_the_field() -> None:
    record = record_of(order_placed_v1())
    payload = json.loads(record.value)
    payload["lines"][0]["quantity"] = 0

    poison = _poison(json.dumps(payload).encode(), record.headers)

    assert poison.reason is PoisonReason.INVALID_PAYLOAD
    assert poison.detail.startswith("orderflow.orders.OrderPlaced.v1: lines.0.quantity")


def test_a_field_unknown_to_the_wire_version_is_an_invalid_payload() -> None:
    # A v2 field in a record labelled v1 is a producer bug, not something to guess around.
    record = record_of(order_placed_v1())
    payload = {**json.loads(record.value), "channel": "web"}

    poison = _poison(json.dumps(payload).encode(), record.headers)

    assert poison.reason is PoisonReason.INVALID_PAYLOAD
    assert "channel" in poison.detail


@pytest.mark.parametrize("value", [b"", b"[1, 2", "ü".encode("latin-1")])
def test_a_value_that_is_not_json_cannot_be_decoded(value: bytes) -> None:
    poison = _poison(value, record_of(order_placed()).headers)

    assert poison.reason is PoisonReason.CANNOT_DECODE


def test_the_poison_message_carries_reason_and_detail_in_its_text() -> None:
    poison = _poison(None, record_of(order_placed()).headers)

    assert str(poison) == "cannot_decode: the record has no value"

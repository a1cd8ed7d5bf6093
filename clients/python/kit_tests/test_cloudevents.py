"""Records ⇄ events: binary-mode CloudEvents, upcasting, and a precise reason for every failure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from orderflow_events import (
    OrderConfirmed,
    OrderPlaced,
    OrderPlacedV1,
    Reason,
    UndecodableRecord,
    UnknownEventVersion,
    decode,
    encode,
    headers_of,
)

EVENT_ID = uuid.UUID("7f1c2b9e-4d3a-4e8f-b6a1-0c9d8e7f6a5b")
WHEN = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


def placed_v1() -> OrderPlacedV1:
    return OrderPlacedV1.model_validate(OrderPlacedV1.model_json_schema()["examples"][0])


def confirmed() -> OrderConfirmed:
    return OrderConfirmed(order_id=uuid.uuid4(), payment_reference="auth_1", total_minor=990)


def test_a_record_is_encoded_as_orderflow_publishes_it() -> None:
    event = confirmed()

    record = encode(event, event_id=EVENT_ID, time=WHEN, aggregate_version=2, correlation_id="c")

    assert record.topic == "orders.order.v1"
    assert record.key == str(event.order_id).encode()
    assert record.value == event.model_dump_json().encode()
    assert list(record.headers)[:7] == [
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_subject",
        "ce_time",
        "content-type",
    ]
    assert record.headers["ce_type"] == "orderflow.orders.OrderConfirmed.v1"
    assert record.headers["ce_time"] == "2026-01-15T10:30:00+00:00"
    assert (record.headers["aggregate_version"], record.headers["correlation_id"]) == ("2", "c")


def test_decoding_gives_back_the_event_and_its_metadata() -> None:
    event = confirmed()
    record = encode(event, event_id=EVENT_ID, time=WHEN, causation_id="cause")

    delivery = decode(record.value, record.headers, key=record.key, topic=record.topic)

    assert delivery.event == event
    meta = delivery.metadata
    assert (meta.event_id, meta.time, meta.causation_id) == (EVENT_ID, WHEN, "cause")
    assert (meta.key, meta.topic, meta.version) == (str(event.order_id), "orders.order.v1", 1)
    assert meta.traceparent is not None
    assert meta.traceparent.startswith("00-")


def test_the_metadata_names_the_build_that_wrote_the_event() -> None:
    record = encode(confirmed(), producer_version="orderflow/0.4.0+0123456789ab")

    meta = decode(record.value, record.headers).metadata

    assert record.headers["ce_producerversion"] == "orderflow/0.4.0+0123456789ab"
    assert meta.producer_version == "orderflow/0.4.0+0123456789ab"


def test_a_record_of_an_older_orderflow_has_no_producer_version() -> None:
    event = confirmed()
    record = encode(event)

    delivery = decode(record.value, record.headers)

    assert "ce_producerversion" not in record.headers
    assert delivery.event == event
    assert delivery.metadata.producer_version is None


def test_a_v1_record_arrives_as_the_newest_version() -> None:
    record = encode(placed_v1())

    delivery = decode(record.value, record.headers)

    assert type(delivery.event) is OrderPlaced
    assert delivery.event.model_dump(exclude={"channel"}) == placed_v1().model_dump()
    assert delivery.event.channel is None
    assert delivery.metadata.version == 1


def test_sdk_extension_attributes_stand_in_for_plain_headers() -> None:
    headers = encode(confirmed()).headers
    for name in ("correlation_id", "aggregate_version"):
        headers["ce_" + name.replace("_", "")] = headers.pop(name)

    meta = decode(encode(confirmed()).value, headers).metadata

    assert meta.aggregate_version == 1
    assert meta.correlation_id == headers["ce_correlationid"]


@pytest.mark.parametrize(
    ("change", "value", "reason", "detail"),
    [
        ({"ce_type": None}, None, Reason.CANNOT_DECODE, "ce_type header is missing"),
        ({"ce_type": "com.other.Thing"}, None, Reason.UNKNOWN_TYPE, "is not of the form"),
        ({"ce_type": "orderflow.orders.Nope.v1"}, None, Reason.UNKNOWN_TYPE, "'orders.Nope'"),
        ({"ce_type": "orderflow.orders.OrderConfirmed.v7"}, None, Reason.UNKNOWN_VERSION, "v7"),
        ({}, b"not json", Reason.CANNOT_DECODE, "not JSON"),
        ({}, b"", Reason.CANNOT_DECODE, "no value"),
        ({}, b'{"order_id": "x"}', Reason.INVALID_PAYLOAD, "order_id"),
        ({"ce_id": "nope"}, None, Reason.CANNOT_DECODE, "ce_id header 'nope' is malformed"),
        ({"ce_time": None}, None, Reason.CANNOT_DECODE, "ce_time header is missing"),
        ({"aggregate_version": "x"}, None, Reason.CANNOT_DECODE, "aggregate_version"),
    ],
)
def test_an_undecodable_record_says_precisely_why(
    change: dict[str, str | None], value: bytes | None, reason: Reason, detail: str
) -> None:
    record = encode(confirmed())
    headers = {**record.headers, **{k: v for k, v in change.items() if v is not None}}
    for name in (k for k, v in change.items() if v is None):
        del headers[name]

    with pytest.raises(UndecodableRecord) as caught:
        decode(record.value if value is None else value, headers)

    assert caught.value.reason is reason
    assert detail in caught.value.detail


def test_a_newer_version_is_its_own_exception() -> None:
    record = encode(confirmed())
    headers = {**record.headers, "ce_type": "orderflow.orders.OrderConfirmed.v2"}

    with pytest.raises(UnknownEventVersion, match="upgrade orderflow-events"):
        decode(record.value, headers)


def test_headers_that_are_not_utf8_are_undecodable() -> None:
    with pytest.raises(UndecodableRecord, match="not UTF-8"):
        headers_of([("ce_type", b"\xff\xfe")])

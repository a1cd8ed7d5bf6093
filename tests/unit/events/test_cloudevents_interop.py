"""Our records and the official CloudEvents Python SDK's Kafka binding understand each other.

The SDK (``cloudevents`` 2.x) binds Kafka in ``cloudevents.core.bindings.kafka``. It sees every
``ce_*`` header as an attribute, ``content-type`` as ``datacontenttype`` and the record key as
the ``partitionkey`` extension; our plain headers (``correlation_id``, ``aggregate_version``...)
are not CloudEvents attributes, so the SDK ignores them. ``ce_producerversion`` (the build that
wrote the event) is one: the SDK reads it as the ``producerversion`` extension.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from events import decode_record, new_envelope
from events.codec import encode_record
from events.schemas import OrderPlaced
from foundation.producer import Producer
from tests.unit.events.factories import order_placed, record_of


def test_a_record_we_publish_parses_with_the_sdk() -> None:
    event = order_placed()
    record = record_of(event, aggregate_version=7)
    headers = dict(record.headers)

    parsed = from_binary(KafkaMessage(headers, record.key, record.value), JSONFormat())

    assert parsed.get_specversion() == "1.0"
    assert parsed.get_id() == headers["ce_id"].decode()
    assert parsed.get_type() == "orderflow.orders.OrderPlaced.v2"
    assert parsed.get_source() == "/orderflow/orders"
    assert parsed.get_subject() == str(event.order_id)
    assert parsed.get_datacontenttype() == "application/json"
    assert parsed.get_time() == datetime.fromisoformat(headers["ce_time"].decode())
    assert parsed.get_extension("partitionkey") == str(event.order_id)
    assert OrderPlaced.model_validate(parsed.get_data()) == event
    # Plain headers are invisible to the SDK: read them from the record itself.
    assert parsed.get_extension("correlation_id") is None
    assert "aggregate_version" not in parsed.get_attributes()


def _sdk_message(event: OrderPlaced, **extensions: str) -> KafkaMessage:
    attributes = {
        "id": str(uuid.uuid4()),
        "type": "orderflow.orders.OrderPlaced.v2",
        "source": "/orderflow/orders",
        "subject": str(event.order_id),
        "time": datetime.now(UTC),
        "datacontenttype": "application/json",
        "partitionkey": str(event.order_id),
        **extensions,
    }
    data = json.loads(event.model_dump_json())
    return to_binary(CloudEvent(attributes=attributes, data=data), JSONFormat())


def test_a_message_the_sdk_produces_decodes_with_our_codec() -> None:
    event = order_placed()
    message = _sdk_message(event)
    headers = [*message.headers.items(), ("aggregate_version", b"3"), ("correlation_id", b"c-1")]

    decoded = decode_record(message.value, headers)

    assert decoded.event == event
    assert str(decoded.envelope.event_id) == message.headers["ce_id"].decode()
    assert decoded.envelope.aggregate_version == 3
    assert decoded.envelope.correlation_id == "c-1"
    assert message.key == str(event.order_id)


def test_sdk_extension_attributes_stand_in_for_our_plain_headers() -> None:
    event = order_placed()
    message = _sdk_message(
        event, aggregateversion="5", correlationid="c-2", causationid="e-1", traceparent="00-ab"
    )

    decoded = decode_record(message.value, list(message.headers.items()))

    assert decoded.envelope.aggregate_version == 5
    assert decoded.envelope.correlation_id == "c-2"
    assert decoded.envelope.causation_id == "e-1"
    assert decoded.envelope.traceparent == "00-ab"


def test_the_sdk_sees_the_writers_build_as_an_extension_attribute() -> None:
    producer = Producer("2.3.4", "fedcba9876543210fedcba9876543210fedcba98", dirty=False)
    record = encode_record(new_envelope(order_placed(), aggregate_version=1, producer=producer))

    parsed = from_binary(KafkaMessage(dict(record.headers), record.key, record.value), JSONFormat())

    assert parsed.get_extension("producerversion") == "orderflow/2.3.4+fedcba987654"


def test_a_producerversion_the_sdk_sends_is_the_envelopes() -> None:
    message = _sdk_message(order_placed(), producerversion="loyalty/7.0", aggregateversion="1")

    decoded = decode_record(message.value, list(message.headers.items()))

    assert decoded.envelope.producer_version == "loyalty/7.0"


def test_a_message_the_sdk_produces_without_it_has_no_producer_version() -> None:
    message = _sdk_message(order_placed(), aggregateversion="1")

    decoded = decode_record(message.value, list(message.headers.items()))

    assert decoded.envelope.producer_version is None

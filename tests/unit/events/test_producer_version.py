"""Every event names the build that wrote it: the ``ce_producerversion`` extension."""

from __future__ import annotations

import pytest

from events import decode_record, new_envelope
from events.codec import PRODUCER_VERSION, encode_record
from foundation.producer import UNKNOWN_PRODUCER, Producer
from tests.unit.events.factories import order_placed

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("producer", "stamp"),
    [
        (Producer("1.4.2", COMMIT, dirty=False), "orderflow/1.4.2+0123456789ab"),
        (Producer("1.4.2", COMMIT, dirty=True), "orderflow/1.4.2+0123456789ab.dirty"),
        (Producer("1.4.2", COMMIT, dirty=None), "orderflow/1.4.2+0123456789ab"),
        (Producer("1.4.2", "unknown", dirty=None), "orderflow/1.4.2"),
        (UNKNOWN_PRODUCER, "orderflow/unknown"),
    ],
)
def test_the_stamp_is_product_slash_version_plus_the_short_commit(
    producer: Producer, stamp: str
) -> None:
    assert producer.stamp() == stamp


def test_the_writer_stamps_its_build_and_decoding_gives_it_back() -> None:
    producer = Producer("9.8.7", COMMIT, dirty=False)
    envelope = new_envelope(order_placed(), aggregate_version=1, producer=producer)

    record = encode_record(envelope)
    decoded = decode_record(record.value, record.headers)

    assert dict(record.headers)[PRODUCER_VERSION] == b"orderflow/9.8.7+0123456789ab"
    assert decoded.envelope.producer_version == "orderflow/9.8.7+0123456789ab"


def test_an_event_written_without_a_build_says_so() -> None:
    record = encode_record(new_envelope(order_placed(), aggregate_version=1))

    assert dict(record.headers)[PRODUCER_VERSION] == b"orderflow/unknown"


def test_a_record_without_the_extension_still_decodes() -> None:
    event = order_placed()
    record = encode_record(new_envelope(event, aggregate_version=2))
    older = [(name, value) for name, value in record.headers if name != PRODUCER_VERSION]

    decoded = decode_record(record.value, older)

    assert decoded.event == event
    assert decoded.envelope.aggregate_version == 2
    assert decoded.envelope.producer_version is None


@pytest.mark.parametrize("odd", ["orderflow/1.0\x00", "x" * 500])
def test_an_unprintable_or_huge_stamp_is_dropped_not_poison(odd: str) -> None:
    event = order_placed()
    record = encode_record(new_envelope(event, aggregate_version=1))
    headers = [(n, v) for n, v in record.headers if n != PRODUCER_VERSION]

    decoded = decode_record(record.value, [*headers, (PRODUCER_VERSION, odd.encode())])

    assert decoded.event == event
    assert decoded.envelope.producer_version is None

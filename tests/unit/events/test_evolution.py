"""OrderPlaced v1 → v2: consumers get the newest model; the envelope keeps the wire version."""

from __future__ import annotations

import pytest

from events import PoisonMessage, PoisonReason, decode_record, new_envelope, registry
from events.registry import EventRegistry, IntegrationEvent, Payload
from events.schemas import OrderPlaced, OrderPlacedV1
from tests.unit.events.factories import order_placed, order_placed_v1, record_of


def test_what_producers_write_today_is_v2() -> None:
    envelope = new_envelope(order_placed(), aggregate_version=1)

    assert (envelope.event_type, envelope.version) == ("orders.OrderPlaced", 2)
    assert registry.latest("orders.OrderPlaced").model is OrderPlaced


def test_a_v1_record_is_read_as_v2_with_the_wire_version_on_the_envelope() -> None:
    old = order_placed_v1()
    record = record_of(old)

    decoded = decode_record(record.value, record.headers, record.topic)

    assert isinstance(decoded.event, OrderPlaced)
    assert decoded.event.channel is None
    assert decoded.event.order_id == old.order_id
    assert decoded.event.lines == old.lines
    assert decoded.envelope.version == 1
    assert decoded.envelope.payload == record.value


def test_a_v2_record_is_read_unchanged() -> None:
    event = order_placed(channel="app")
    record = record_of(event)

    decoded = decode_record(record.value, record.headers)

    assert decoded.event == event
    assert decoded.envelope.version == 2


def test_old_versions_stay_on_the_topic_of_the_newest() -> None:
    v1, v2 = registry.versions("orders.OrderPlaced")

    assert (v1.model, v2.model) == (OrderPlacedV1, OrderPlaced)
    assert v1.topic == v2.topic == "orders.order.v1"


class _Widget(IntegrationEvent):
    widget_id: str
    size: int


class _WidgetV2(IntegrationEvent):
    widget_id: str
    size_mm: int


def _widgets() -> EventRegistry:
    widgets = EventRegistry()
    reg = widgets.register
    reg(event_type="t.Widget", version=1, topic="t.w.v1", key="widget_id", aggregate_type="w")(
        _Widget
    )
    reg(event_type="t.Widget", version=2, topic="t.w.v1", key="widget_id", aggregate_type="w")(
        _WidgetV2
    )
    return widgets


def test_upcasters_run_step_by_step_on_json_payloads() -> None:
    widgets = _widgets()

    @widgets.upcaster(event_type="t.Widget", from_version=1)
    def size_in_mm(payload: Payload) -> Payload:
        rest = {k: v for k, v in payload.items() if k != "size"}
        return {**rest, "size_mm": payload["size"] * 10}

    newest, payload = widgets.upcast(widgets.lookup("t.Widget", 1), {"widget_id": "w", "size": 3})

    assert newest.version == 2
    assert payload == {"widget_id": "w", "size_mm": 30}


def test_a_second_upcaster_for_the_same_step_is_refused() -> None:
    widgets = _widgets()
    widgets.upcaster(event_type="t.Widget", from_version=1)(dict)

    with pytest.raises(ValueError, match="two upcasters"):
        widgets.upcaster(event_type="t.Widget", from_version=1)(dict)


def test_an_upcaster_producing_an_invalid_payload_makes_the_record_poison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = record_of(order_placed_v1())
    monkeypatch.setitem(
        registry._upcasters,
        ("orders.OrderPlaced", 1),
        lambda payload: {**payload, "channel": 42},
    )

    with pytest.raises(PoisonMessage) as poison:
        decode_record(record.value, record.headers)

    assert poison.value.reason is PoisonReason.INVALID_PAYLOAD
    assert "upcasting orderflow.orders.OrderPlaced.v1 to v2" in poison.value.detail
    assert "channel" in poison.value.detail


def test_a_ce_type_names_its_version_and_the_newest_it_is_read_as() -> None:
    widgets = EventRegistry()
    reg = widgets.register
    reg(event_type="t.Widget", version=1, topic="t.w.v1", key="widget_id", aggregate_type="w")(
        _Widget
    )
    v1 = widgets.lookup("t.Widget", 1)
    assert widgets.by_ce_type("orderflow.t.Widget.v1") == (v1, v1)

    reg(event_type="t.Widget", version=2, topic="t.w.v1", key="widget_id", aggregate_type="w")(
        _WidgetV2
    )  # a later registration is seen by what was asked before
    v2 = widgets.lookup("t.Widget", 2)

    assert widgets.by_ce_type("orderflow.t.Widget.v1") == (v1, v2)
    assert widgets.by_ce_type("orderflow.t.Widget.v2") == (v2, v2)
    assert widgets.by_ce_type("orderflow.t.Widget.v3") is None
    assert widgets.by_ce_type("orderflow.t.Widget.v01") is None  # only the exact spelling


def test_a_version_spelled_with_a_leading_zero_is_still_read() -> None:
    old = order_placed_v1()
    record = record_of(old)
    headers = [
        (name, b"orderflow.orders.OrderPlaced.v01" if name == "ce_type" else value)
        for name, value in record.headers
    ]

    decoded = decode_record(record.value, headers, record.topic)

    assert isinstance(decoded.event, OrderPlaced)
    assert (decoded.envelope.version, decoded.event.order_id) == (1, old.order_id)

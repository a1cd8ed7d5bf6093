"""What each event says about the analytics facts (pure: no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from consumers.analytics import ANALYSED_EVENTS, analysed_topics, patches_of
from events import IntegrationEvent
from events.schemas.identity import UserRegistered
from events.schemas.orders import OrderCancelled, OrderPlaced
from tests.support.history import shop_day

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 29, 9, tzinfo=UTC)


def _first(kind: type[IntegrationEvent]) -> IntegrationEvent:
    events = [event for event, _ in shop_day(date(2026, 11, 29)).envelopes]
    return next(e for e in events if isinstance(e, kind))


def test_an_order_placed_gives_the_order_and_one_row_per_line() -> None:
    placed = _first(OrderPlaced)
    assert isinstance(placed, OrderPlaced)
    patches = patches_of(placed, AT)
    order, *lines = patches
    assert (order.table, order.key, order.group) == ("orders", {"id": placed.order_id}, "placed")
    assert order.values["items"] == sum(line.quantity for line in placed.lines)
    assert order.values["total_minor"] == placed.total_minor
    assert [(p.table, p.key["line_no"], p.values["sku"]) for p in lines] == [
        ("order_lines", n, line.sku) for n, line in enumerate(placed.lines, start=1)
    ]


def test_a_cancellation_records_when_and_why_in_its_own_group() -> None:
    cancelled = OrderCancelled(order_id=uuid.uuid4(), reason="customer_request", was_paid=True)
    [patch] = patches_of(cancelled, AT)
    assert patch.group == "cancelled"
    assert patch.values == {"cancelled_at": AT, "cancel_reason": "customer_request"}


def test_every_analysed_event_type_has_facts_and_others_have_none() -> None:
    history = shop_day(date(2026, 11, 29))
    seen = {type(event) for event, _ in history.envelopes}
    for event, envelope in history.envelopes:
        assert patches_of(event, envelope.time), type(event).__name__
    registered = UserRegistered(user_id=uuid.uuid4(), roles=("customer",), registered_at=AT)
    assert patches_of(registered, AT) == []
    assert seen <= set(ANALYSED_EVENTS)


def test_the_group_reads_the_order_payment_and_catalog_topics() -> None:
    assert analysed_topics() == ("catalog.product.v1", "orders.order.v1", "payments.payment.v1")

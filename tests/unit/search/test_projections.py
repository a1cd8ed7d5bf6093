"""What each event writes into the search index (pure; no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from consumers.search import INDEXED_EVENTS, patches_of
from events.schemas.catalog import PriceChanged, ProductUpdated, StockAdjusted
from events.schemas.orders import OrderConfirmed, OrderLine, OrderPlaced, OrderShipped

NOW = datetime.now(UTC)
ID = uuid.uuid4()


def test_a_price_change_touches_only_the_price_group() -> None:
    event = PriceChanged(product_id=ID, sku="S-1", old_price_minor=1, old_currency="EUR",
                         price_minor=2, currency="EUR", changed_at=NOW)  # fmt: skip
    [patch] = patches_of(event)
    assert (patch.kind, patch.group) == ("product", "price")
    assert "name" not in patch.values


def test_a_rename_touches_only_the_details_group() -> None:
    event = ProductUpdated(product_id=ID, sku="S-1", name="N", description="", active=False,
                           updated_at=NOW)  # fmt: skip
    [patch] = patches_of(event)
    assert patch.group == "details"
    assert patch.values["active"] is False


def test_an_order_placed_fills_its_lines_and_starts_pending() -> None:
    event = OrderPlaced(
        order_id=ID,
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="A", quantity=1, unit_price_minor=1),
               OrderLine(sku="B", quantity=1, unit_price_minor=1)),
        total_minor=2,
        placed_at=NOW,
    )  # fmt: skip
    placed, status = patches_of(event)
    assert placed.values["skus"] == "A B"
    assert status.values == {"status": "pending"}


def test_status_events_carry_their_status_and_confirmation_its_reference() -> None:
    shipped = patches_of(OrderShipped(order_id=ID, shipment_id=uuid.uuid4()))
    confirmed = patches_of(OrderConfirmed(order_id=ID, payment_reference="auth_1", total_minor=1))
    assert [p.values for p in shipped] == [{"status": "shipped"}]
    assert [p.group for p in confirmed] == ["status", "payment"]


def test_events_the_index_does_not_read_change_nothing() -> None:
    event = StockAdjusted(product_id=ID, sku="S", delta=1, available=1, reason="r",
                          adjusted_at=NOW)  # fmt: skip
    assert StockAdjusted not in INDEXED_EVENTS
    assert patches_of(event) == []

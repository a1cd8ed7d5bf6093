"""Every catalog domain event maps to a registered, valid integration event."""

from __future__ import annotations

import uuid

from domains.catalog.model import Product
from domains.catalog.publishing import to_integration_event
from domains.catalog.stock import Reservation, StockLevel
from events import registry


def test_each_domain_event_becomes_a_valid_published_event_with_its_version() -> None:
    product = Product.create(
        sku="MUG", name="Mug", description="", price_minor=1, currency="EUR", active=True
    )
    product.update(active=False)
    product.change_price(2, "EUR")
    stock = StockLevel(product.id, "MUG", available=0, reserved=0)
    stock.adjust(3, "delivery")
    reservation = Reservation.reserve(uuid.uuid4(), (("MUG", 1),))
    reservation.commit()

    published = [
        to_integration_event(e) for e in [*product.events, *stock.events, *reservation.events]
    ]

    types = [(registry.spec_for(event).event_type, version) for event, version in published]
    assert types == [
        ("catalog.ProductCreated", 1),
        ("catalog.ProductUpdated", 2),
        ("catalog.PriceChanged", 3),
        ("catalog.StockAdjusted", 2),
        ("catalog.InventoryReserved", 1),
        ("catalog.InventoryCommitted", 2),
    ]
    for event, _ in published:
        registry.validate(event)

"""What each event says about a search row: pure functions from events to patches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from events import IntegrationEvent
from events.schemas.catalog import PriceChanged, ProductCreated, ProductUpdated
from events.schemas.orders import (
    OrderCancellationRejected,
    OrderCancellationRequested,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFulfilling,
    OrderPaymentPending,
    OrderPlaced,
    OrderRefunded,
    OrderShipped,
)

Kind = Literal["product", "order"]


@dataclass(frozen=True)
class Patch:
    """The values of one field ``group`` of one search row, as an event of it states them."""

    kind: Kind
    row_id: uuid.UUID
    group: str
    values: Mapping[str, Any]


def _product_details(e: ProductCreated | ProductUpdated) -> Patch:
    values = {"sku": e.sku, "name": e.name, "description": e.description, "active": e.active}
    return Patch("product", e.product_id, "details", values)


def _product_price(e: ProductCreated | PriceChanged) -> Patch:
    values = {"sku": e.sku, "price_minor": e.price_minor, "currency": e.currency}
    return Patch("product", e.product_id, "price", values)


def _order_status(order_id: uuid.UUID, status: str) -> Patch:
    return Patch("order", order_id, "status", {"status": status})


def _order_placed(e: OrderPlaced) -> list[Patch]:
    placed = {
        "customer_id": e.customer_id,
        "currency": e.currency,
        "total_minor": e.total_minor,
        "skus": " ".join(line.sku for line in e.lines),
        "placed_at": e.placed_at,
    }
    return [Patch("order", e.order_id, "placed", placed), _order_status(e.order_id, "pending")]


def _order_confirmed(e: OrderConfirmed) -> list[Patch]:
    payment = Patch("order", e.order_id, "payment", {"payment_reference": e.payment_reference})
    return [_order_status(e.order_id, "confirmed"), payment]


def _status_change(status: str) -> Callable[[Any], list[Patch]]:
    return lambda e: [_order_status(e.order_id, status)]


_STATUS_OF: dict[type[IntegrationEvent], str] = {
    OrderPaymentPending: "payment_pending",
    OrderCancellationRequested: "cancellation_requested",
    OrderCancellationRejected: "fulfilling",  # the parcel left first: OrderShipped follows
    OrderCancelled: "cancelled",
    OrderRefunded: "refunded",
    OrderFulfilling: "fulfilling",
    OrderShipped: "shipped",
    OrderDelivered: "delivered",
}

_PROJECTIONS: dict[type[IntegrationEvent], Callable[[Any], list[Patch]]] = {
    ProductCreated: lambda e: [_product_details(e), _product_price(e)],
    ProductUpdated: lambda e: [_product_details(e)],
    PriceChanged: lambda e: [_product_price(e)],
    OrderPlaced: _order_placed,
    OrderConfirmed: _order_confirmed,
    **{t: _status_change(status) for t, status in _STATUS_OF.items()},
}

INDEXED_EVENTS: tuple[type[IntegrationEvent], ...] = tuple(_PROJECTIONS)
"""The event types the search index reads."""


def patches_of(event: IntegrationEvent) -> list[Patch]:
    """The patches ``event`` makes to the index; empty for an event it does not index."""
    projection = _PROJECTIONS.get(type(event))
    return projection(event) if projection is not None else []

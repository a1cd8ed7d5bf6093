"""What each event says about the analytics facts: pure functions from events to patches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events import IntegrationEvent
from events.schemas.catalog import PriceChanged, ProductCreated, ProductUpdated
from events.schemas.orders import OrderCancelled, OrderConfirmed, OrderPlaced, OrderRefunded
from events.schemas.payments import PaymentAuthorized, PaymentDeclined, PaymentRefunded


@dataclass(frozen=True)
class Patch:
    """The values of one field ``group`` of one row of ``table``, as an event states them."""

    table: str
    key: Mapping[str, Any]
    group: str
    values: Mapping[str, Any]


Facts = Callable[[Any, datetime], list[Patch]]
"""An event and when it happened (``ce_time``) → its patches."""


def _order(order_id: uuid.UUID, group: str, **values: Any) -> Patch:
    return Patch("orders", {"id": order_id}, group, values)


def _placed(e: OrderPlaced, _: datetime) -> list[Patch]:
    order = _order(
        e.order_id,
        "placed",
        customer_id=e.customer_id,
        currency=e.currency,
        total_minor=e.total_minor,
        items=sum(line.quantity for line in e.lines),
        channel=e.channel,
        placed_at=e.placed_at,
    )
    lines = [
        Patch(
            "order_lines",
            {"order_id": e.order_id, "line_no": number},
            "placed",
            {"sku": line.sku, "quantity": line.quantity, "unit_price_minor": line.unit_price_minor},
        )
        for number, line in enumerate(e.lines, start=1)
    ]
    return [order, *lines]


def _confirmed(e: OrderConfirmed, at: datetime) -> list[Patch]:
    return [_order(e.order_id, "confirmed", confirmed_at=at)]


def _cancelled(e: OrderCancelled, at: datetime) -> list[Patch]:
    return [_order(e.order_id, "cancelled", cancelled_at=at, cancel_reason=e.reason)]


def _refunded(e: OrderRefunded, at: datetime) -> list[Patch]:
    return [_order(e.order_id, "refunded", refunded_at=at, refunded_minor=e.amount_minor)]


def _payment(e: PaymentAuthorized | PaymentDeclined, group: str, **values: Any) -> Patch:
    money = {"order_id": e.order_id, "currency": e.currency, "amount_minor": e.amount_minor}
    return Patch("payments", {"id": e.payment_id}, group, {**money, **values})


def _payment_refunded(e: PaymentRefunded, at: datetime) -> list[Patch]:
    values = {
        "payment_id": e.payment_id,
        "order_id": e.order_id,
        "currency": e.currency,
        "amount_minor": e.amount_minor,
        "refunded_at": at,
    }
    return [Patch("refunds", {"id": e.refund_id}, "refund", values)]


def _details(e: ProductCreated | ProductUpdated) -> Patch:
    values = {"sku": e.sku, "name": e.name, "active": e.active}
    return Patch("products", {"id": e.product_id}, "details", values)


def _price(e: ProductCreated | PriceChanged) -> Patch:
    values = {"sku": e.sku, "price_minor": e.price_minor, "currency": e.currency}
    return Patch("products", {"id": e.product_id}, "price", values)


FACTS: dict[type[IntegrationEvent], Facts] = {
    OrderPlaced: _placed,
    OrderConfirmed: _confirmed,
    OrderCancelled: _cancelled,
    OrderRefunded: _refunded,
    PaymentAuthorized: lambda e, at: [_payment(e, "authorized", authorized_at=at)],
    PaymentDeclined: lambda e, at: [
        _payment(e, "declined", declined_at=at, decline_code=e.decline_code)
    ],
    PaymentRefunded: _payment_refunded,
    ProductCreated: lambda e, _: [_details(e), _price(e)],
    ProductUpdated: lambda e, _: [_details(e)],
    PriceChanged: lambda e, _: [_price(e)],
}

ANALYSED_EVENTS: tuple[type[IntegrationEvent], ...] = tuple(FACTS)
"""The event types the analytics model reads."""


def patches_of(event: IntegrationEvent, at: datetime) -> list[Patch]:
    """The patches ``event`` (that happened ``at``) makes; empty for an event not analysed."""
    facts = FACTS.get(type(event))
    return facts(event, at) if facts is not None else []

"""The orders-saga consumer group: shipment milestones move orders along; a cancelled shipment
completes its order's cancellation (refund and restock)."""

from __future__ import annotations

from consumers.orders_saga.handlers import complete_cancellation, follow, note_cancelled_shipment
from consumers.runtime import Consumer, Effect, Handler
from domains.orders.api import OrderStatus
from domains.payments import api as payments
from events import IntegrationEvent
from events.schemas.fulfillment import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)

GROUP = "orders-saga"


def orders_saga_consumer(provider: payments.PaymentProvider, *, group: str = GROUP) -> Consumer:
    """The orders-saga group on the shipment topic; ``provider`` makes the refunds."""
    handlers: dict[type[IntegrationEvent], Handler] = {
        ShipmentCreated: follow(OrderStatus.FULFILLING),
        ShipmentShipped: follow(OrderStatus.SHIPPED),
        ShipmentDelivered: follow(OrderStatus.DELIVERED),
        ShipmentCancelled: note_cancelled_shipment,
    }
    effects: dict[type[IntegrationEvent], Effect] = {
        ShipmentCancelled: complete_cancellation(provider)
    }
    return Consumer(
        name=group, topics=("fulfillment.shipment.v1",), handlers=handlers, effects=effects
    )

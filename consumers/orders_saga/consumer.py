"""The orders-saga consumer group: shipment milestones move orders along."""

from __future__ import annotations

from consumers.orders_saga.handlers import follow
from consumers.runtime import Consumer, Handler
from domains.orders.api import OrderStatus
from events import IntegrationEvent
from events.schemas.fulfillment import ShipmentCreated, ShipmentDelivered, ShipmentShipped

GROUP = "orders-saga"


def orders_saga_consumer(*, group: str = GROUP) -> Consumer:
    """The orders-saga group on the shipment topic."""
    handlers: dict[type[IntegrationEvent], Handler] = {
        ShipmentCreated: follow(OrderStatus.FULFILLING),
        ShipmentShipped: follow(OrderStatus.SHIPPED),
        ShipmentDelivered: follow(OrderStatus.DELIVERED),
    }
    return Consumer(name=group, topics=("fulfillment.shipment.v1",), handlers=handlers)

"""The fulfillment consumer group: confirmed orders become shipments that leave the warehouse."""

from __future__ import annotations

from consumers.fulfillment.carrier import Carrier
from consumers.fulfillment.handlers import (
    compensate_cancellation,
    dispatch_shipment,
    open_shipment,
)
from consumers.runtime import Consumer, Handler
from events import IntegrationEvent, registry
from events.schemas.fulfillment import ShipmentCreated
from events.schemas.orders import OrderCancelled, OrderConfirmed

GROUP = "fulfillment"


def fulfillment_consumer(carrier: Carrier, *, group: str = GROUP) -> Consumer:
    """The fulfillment group on the order and shipment topics, booking parcels with ``carrier``."""
    handlers: dict[type[IntegrationEvent], Handler] = {
        OrderConfirmed: open_shipment,
        ShipmentCreated: dispatch_shipment(carrier),
        OrderCancelled: compensate_cancellation(carrier),
    }
    topics = tuple(sorted({registry.spec_for(event).topic for event in handlers}))
    return Consumer(name=group, topics=topics, handlers=handlers)

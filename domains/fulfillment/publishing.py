"""Domain events of shipments → the integration events other teams subscribe to.

Created, shipped, delivered and cancelled are published; picking, packing and a cancellation
waiting for the carrier (``cancelling``) stay inside fulfillment.
"""

from __future__ import annotations

from domains.fulfillment.model import ShipmentChanged, ShipmentStatus
from events import IntegrationEvent
from events.schemas.fulfillment import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)


def to_integration_event(event: object) -> tuple[IntegrationEvent, int] | None:
    """The published event for a shipment's domain event and its version; None if internal."""
    if not isinstance(event, ShipmentChanged):
        raise TypeError(f"no integration event for {type(event).__name__}")
    s = event.shipment
    published: IntegrationEvent
    match s.status:
        case ShipmentStatus.CREATED:
            published = ShipmentCreated(shipment_id=s.id, order_id=s.order_id, created_at=event.at)
        case ShipmentStatus.SHIPPED:
            published = ShipmentShipped(
                shipment_id=s.id,
                order_id=s.order_id,
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                shipped_at=event.at,
            )
        case ShipmentStatus.DELIVERED:
            published = ShipmentDelivered(
                shipment_id=s.id, order_id=s.order_id, delivered_at=event.at
            )
        case ShipmentStatus.CANCELLED:
            published = ShipmentCancelled(
                shipment_id=s.id, order_id=s.order_id, cancelled_at=event.at
            )
        case _:
            return None
    return published, s.version

"""Events of the fulfillment domain, published to ``fulfillment.shipment.v1``."""

from events.schemas.fulfillment.shipment_events import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)

__all__ = ["ShipmentCancelled", "ShipmentCreated", "ShipmentDelivered", "ShipmentShipped"]

"""Events of the fulfillment domain, published to ``fulfillment.shipment.v1``."""

from events.schemas.fulfillment.shipment_events import (
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)

__all__ = ["ShipmentCreated", "ShipmentDelivered", "ShipmentShipped"]

"""Every event model, generated from orderflow's committed JSON Schemas (do not edit).

``EVENTS`` lists every published version, oldest first per event type; the other
names are the objects nested in payloads (e.g. ``OrderLine``).
"""

from orderflow_events.base import Event
from orderflow_events.models.catalog import (
    InventoryCommitted,
    InventoryReleased,
    InventoryReserved,
    PriceChanged,
    ProductCreated,
    ProductUpdated,
    ReservedItem,
    StockAdjusted,
)
from orderflow_events.models.fulfillment import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)
from orderflow_events.models.identity import PasswordChanged, PasswordResetRequested, UserRegistered
from orderflow_events.models.orders import (
    OrderCancellationRejected,
    OrderCancellationRequested,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFulfilling,
    OrderLine,
    OrderPaymentPending,
    OrderPlaced,
    OrderPlacedV1,
    OrderRefunded,
    OrderShipped,
)
from orderflow_events.models.payments import PaymentAuthorized, PaymentDeclined, PaymentRefunded

EVENTS: tuple[type[Event], ...] = (
    InventoryCommitted,
    InventoryReleased,
    InventoryReserved,
    PriceChanged,
    ProductCreated,
    ProductUpdated,
    StockAdjusted,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
    PasswordChanged,
    PasswordResetRequested,
    UserRegistered,
    OrderCancellationRejected,
    OrderCancellationRequested,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFulfilling,
    OrderPaymentPending,
    OrderPlacedV1,
    OrderPlaced,
    OrderRefunded,
    OrderShipped,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentRefunded,
)

__all__ = [
    "EVENTS",
    "InventoryCommitted",
    "InventoryReleased",
    "InventoryReserved",
    "OrderCancellationRejected",
    "OrderCancellationRequested",
    "OrderCancelled",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderFulfilling",
    "OrderLine",
    "OrderPaymentPending",
    "OrderPlaced",
    "OrderPlacedV1",
    "OrderRefunded",
    "OrderShipped",
    "PasswordChanged",
    "PasswordResetRequested",
    "PaymentAuthorized",
    "PaymentDeclined",
    "PaymentRefunded",
    "PriceChanged",
    "ProductCreated",
    "ProductUpdated",
    "ReservedItem",
    "ShipmentCancelled",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentShipped",
    "StockAdjusted",
    "UserRegistered",
]

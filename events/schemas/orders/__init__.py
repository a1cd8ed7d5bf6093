"""Events of the orders domain, published to ``orders.order.v1``."""

from events.schemas.orders.order_lifecycle import (
    OrderCancellationRejected,
    OrderCancellationRequested,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFulfilling,
    OrderPaymentPending,
    OrderRefunded,
    OrderShipped,
)
from events.schemas.orders.order_placed import OrderLine, OrderPlaced, OrderPlacedV1

__all__ = [
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
]

"""Events of the orders domain: the order's on ``orders.order.v1``, replies to upstream services
on ``intake.replies.v1``, orders they submit on ``intake.orders.v1``."""

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
from events.schemas.orders.replies import OrderAccepted, OrderRejected, SubmittedOrderCancelled
from events.schemas.orders.submitted import OrderSubmitted

__all__ = [
    "OrderAccepted",
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
    "OrderRejected",
    "OrderShipped",
    "OrderSubmitted",
    "SubmittedOrderCancelled",
]

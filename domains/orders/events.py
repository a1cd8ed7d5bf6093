"""Domain events the order aggregate records; the unit of work maps them to integration events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domains.orders.lines import OrderLine


@dataclass(frozen=True)
class OrderEvent:
    """Something happened to order ``order_id``; ``version`` is the version it produced."""

    order_id: uuid.UUID
    version: int


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    """The order was created ``pending``."""

    customer_id: uuid.UUID
    currency: str
    lines: tuple[OrderLine, ...]
    total_minor: int
    placed_at: datetime


@dataclass(frozen=True)
class OrderPaymentPending(OrderEvent):
    """The payment provider's answer is unknown; reconciliation will settle the order."""


@dataclass(frozen=True)
class OrderConfirmed(OrderEvent):
    """Payment was authorized."""

    payment_reference: str
    total_minor: int


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    """The order was cancelled; ``was_paid`` says whether it was paid, ``paid_upstream``
    whether to the upstream service that submitted it (which refunds it, not us)."""

    reason: str
    was_paid: bool
    paid_upstream: bool = False


@dataclass(frozen=True)
class OrderCancellationRequested(OrderEvent):
    """A paid order is to be cancelled once its shipment is stopped."""

    reason: str


@dataclass(frozen=True)
class OrderCancellationRejected(OrderEvent):
    """The parcel left first: the order is not cancelled."""

    reason: str


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    """The order was refunded."""

    amount_minor: int
    reason: str


@dataclass(frozen=True)
class OrderFulfilling(OrderEvent):
    """Fulfillment started."""

    shipment_id: uuid.UUID


@dataclass(frozen=True)
class OrderShipped(OrderEvent):
    """The parcel left."""

    shipment_id: uuid.UUID


@dataclass(frozen=True)
class OrderDelivered(OrderEvent):
    """The parcel arrived."""

    shipment_id: uuid.UUID

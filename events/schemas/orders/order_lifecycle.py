"""The order's life after ``OrderPlaced``: payment, cancellation, refund and fulfillment.

All on ``orders.order.v1``, keyed by ``order_id``; ``aggregate_version`` (a header) orders them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from pydantic import ConfigDict, Field, JsonValue

from events.registry import IntegrationEvent, registry

_E = TypeVar("_E", bound=IntegrationEvent)
TOPIC = "orders.order.v1"
_ORDER = "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11"
_SHIPMENT = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


def _examples(**fields: JsonValue) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{"order_id": _ORDER, **fields}]})


def _order_event(name: str) -> Callable[[type[_E]], type[_E]]:
    return registry.register(
        event_type=f"orders.{name}", version=1, topic=TOPIC, key="order_id", aggregate_type="order"
    )


@_order_event("OrderPaymentPending")
class OrderPaymentPending(IntegrationEvent):
    """The payment provider did not answer in time; the order waits for reconciliation."""

    model_config = _examples()

    order_id: uuid.UUID


@_order_event("OrderConfirmed")
class OrderConfirmed(IntegrationEvent):
    """Payment was authorized: the order is confirmed and its stock committed."""

    model_config = _examples(payment_reference="auth_3f2a", total_minor=2500)

    order_id: uuid.UUID
    payment_reference: str = Field(max_length=128, description="The provider's authorization id")
    total_minor: int = Field(ge=0)


# Superseded by v2 (its docstring is its published description: left as it was); kept so that
# records already on the topic can still be read.
@_order_event("OrderCancelled")
class OrderCancelledV1(IntegrationEvent):
    """The order was cancelled and its stock released.

    ``reason``: ``payment_declined``, ``payment_expired``, ``payment_abandoned`` (the payment
    never reached the provider: nothing was charged) or ``customer_request``.
    ``was_paid`` is true when the customer had been charged (a ``PaymentRefunded`` follows).
    """

    model_config = _examples(reason="payment_declined", was_paid=False)

    order_id: uuid.UUID
    reason: str = Field(max_length=64)
    was_paid: bool


@registry.register(
    event_type="orders.OrderCancelled",
    version=2,
    topic=TOPIC,
    key="order_id",
    aggregate_type="order",
)
class OrderCancelled(IntegrationEvent):
    """The order was cancelled and its stock released.

    ``reason``: ``payment_declined``, ``payment_expired``, ``payment_abandoned`` (the payment
    never reached the provider: nothing was charged) or ``customer_request``.
    ``was_paid`` is true when the customer had been charged. ``paid_upstream`` (v2) is true
    when that payment was taken by the upstream service that submitted the order
    (``payment.method`` ``external``): orderflow refunds nothing and no ``PaymentRefunded``
    follows, the refund is that service's to make. Otherwise a paid order's
    ``PaymentRefunded`` follows.
    """

    model_config = _examples(reason="customer_request", was_paid=True, paid_upstream=True)

    order_id: uuid.UUID
    reason: str = Field(max_length=64)
    was_paid: bool
    paid_upstream: bool = Field(
        default=False,
        description="The customer paid the upstream service that submitted the order, which "
        "refunds it; false for v1 records (written before orders could be paid upstream)",
    )


@_order_event("OrderCancellationRequested")
class OrderCancellationRequested(IntegrationEvent):
    """The customer (or an admin) asked to cancel a paid order that has not shipped.

    Nothing is refunded yet: fulfillment first stops the shipment. When it could,
    ``orders.OrderCancelled`` follows (with ``payments.PaymentRefunded``); when the carrier has
    the parcel already, ``orders.OrderCancellationRejected``. ``reason``: ``customer_request``.
    """

    model_config = _examples(reason="customer_request")

    order_id: uuid.UUID
    reason: str = Field(max_length=64)


@_order_event("OrderCancellationRejected")
class OrderCancellationRejected(IntegrationEvent):
    """A requested cancellation came too late: the parcel left; the order stays as it was.

    The order goes on to ``orders.OrderShipped`` (nothing was refunded). ``reason``:
    ``already_shipped``.
    """

    model_config = _examples(reason="already_shipped")

    order_id: uuid.UUID
    reason: str = Field(max_length=64)


@_order_event("OrderRefunded")
class OrderRefunded(IntegrationEvent):
    """An admin refunded the order; the money goes back through the provider."""

    model_config = _examples(amount_minor=2500, reason="damaged")

    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    reason: str = Field(max_length=200)


@_order_event("OrderFulfilling")
class OrderFulfilling(IntegrationEvent):
    """Fulfillment took the order on (a shipment exists)."""

    model_config = _examples(shipment_id=_SHIPMENT)

    order_id: uuid.UUID
    shipment_id: uuid.UUID


@_order_event("OrderShipped")
class OrderShipped(IntegrationEvent):
    """The parcel left the warehouse."""

    model_config = _examples(shipment_id=_SHIPMENT)

    order_id: uuid.UUID
    shipment_id: uuid.UUID


@_order_event("OrderDelivered")
class OrderDelivered(IntegrationEvent):
    """The parcel reached the customer."""

    model_config = _examples(shipment_id=_SHIPMENT)

    order_id: uuid.UUID
    shipment_id: uuid.UUID

"""Events of the ``orders`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from orderflow_events.base import Event, EventSpec, Model


class OrderLine(Model):
    """One line of an order: what, how many, at which unit price (minor units)."""

    sku: str = Field(max_length=64, min_length=1)
    quantity: int = Field(gt=0)
    unit_price_minor: int = Field(ge=0)


class ExternalPayment(Model):
    """A payment the service already took: the order is confirmed at once."""

    method: str = Field(pattern="^external$", description="Always external")
    reference: str = Field(max_length=128, min_length=1)


class SubmittedLine(Model):
    """One line; ``unit_price_minor`` only for clients with the ``orders:price`` scope."""

    sku: str = Field(max_length=64, min_length=1, pattern="^[A-Za-z0-9._-]+$")
    quantity: int = Field(gt=0, le=10000)
    unit_price_minor: int | None = Field(default=None, le=1000000000000, ge=0)


class OrderAccepted(Event):
    """The submission became order ``order_id``.

    ``status`` is ``confirmed`` when the upstream had taken the payment, else ``pending``.
    ``priced_by`` is ``catalog``, or ``caller`` when the client sent its own prices.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accepted_at": "2026-11-29T12:00:00Z",
                    "channel": "http",
                    "client_id": "5f0c8a9e-2b7d-4c1e-9a3f-6d8e7b2c1a40",
                    "external_reference": "pos-berlin-000123",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "priced_by": "catalog",
                    "status": "confirmed",
                    "total_minor": 2500,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderAccepted",
        version=1,
        topic="intake.replies.v1",
        key="client_id",
        aggregate_type="submission",
    )
    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    order_id: uuid.UUID
    status: str = Field(description="pending or confirmed")
    total_minor: int = Field(ge=0)
    priced_by: str = Field(description="catalog or caller")
    channel: str = Field(description="http or kafka: the door the submission came through")
    accepted_at: datetime


class OrderCancellationRejected(Event):
    """A requested cancellation came too late: the parcel left; the order stays as it was.

    The order goes on to ``orders.OrderShipped`` (nothing was refunded). ``reason``:
    ``already_shipped``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11", "reason": "already_shipped"}
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderCancellationRejected",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    reason: str = Field(max_length=64)


class OrderCancellationRequested(Event):
    """The customer (or an admin) asked to cancel a paid order that has not shipped.

    Nothing is refunded yet: fulfillment first stops the shipment. When it could,
    ``orders.OrderCancelled`` follows (with ``payments.PaymentRefunded``); when the carrier has
    the parcel already, ``orders.OrderCancellationRejected``. ``reason``: ``customer_request``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11", "reason": "customer_request"}
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderCancellationRequested",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    reason: str = Field(max_length=64)


class OrderCancelledV1(Event):
    """The order was cancelled and its stock released.

    ``reason``: ``payment_declined``, ``payment_expired``, ``payment_abandoned`` (the payment
    never reached the provider: nothing was charged) or ``customer_request``.
    ``was_paid`` is true when the customer had been charged (a ``PaymentRefunded`` follows).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "reason": "payment_declined",
                    "was_paid": False,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderCancelled",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    reason: str = Field(max_length=64)
    was_paid: bool


class OrderCancelled(Event):
    """The order was cancelled and its stock released.

    ``reason``: ``payment_declined``, ``payment_expired``, ``payment_abandoned`` (the payment
    never reached the provider: nothing was charged) or ``customer_request``.
    ``was_paid`` is true when the customer had been charged. ``paid_upstream`` (v2) is true
    when that payment was taken by the upstream service that submitted the order
    (``payment.method`` ``external``): orderflow refunds nothing and no ``PaymentRefunded``
    follows, the refund is that service's to make. Otherwise a paid order's
    ``PaymentRefunded`` follows.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "paid_upstream": True,
                    "reason": "customer_request",
                    "was_paid": True,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderCancelled",
        version=2,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    reason: str = Field(max_length=64)
    was_paid: bool
    paid_upstream: bool = Field(
        default=False,
        description="The customer paid the upstream service that submitted the order, which refunds it; false for v1 records (written before orders could be paid upstream)",
    )


class OrderConfirmed(Event):
    """Payment was authorized: the order is confirmed and its stock committed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "payment_reference": "auth_3f2a",
                    "total_minor": 2500,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderConfirmed",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    payment_reference: str = Field(max_length=128, description="The provider's authorization id")
    total_minor: int = Field(ge=0)


class OrderDelivered(Event):
    """The parcel reached the customer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderDelivered",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    shipment_id: uuid.UUID


class OrderFulfilling(Event):
    """Fulfillment took the order on (a shipment exists)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderFulfilling",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    shipment_id: uuid.UUID


class OrderPaymentPending(Event):
    """The payment provider did not answer in time; the order waits for reconciliation."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11"}]}
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderPaymentPending",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID


class OrderPlacedV1(Event):
    """A customer placed an order; it is ``pending`` until payment confirms it.

    Emitted once per order, in the transaction that creates it. Superseded by v2; kept so that
    records already on the topic can still be read (they are upcast to v2).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "currency": "EUR",
                    "customer_id": "5d2e9a10-3c4b-4f7a-8e21-6b9d0c1f2e33",
                    "lines": [{"quantity": 2, "sku": "SKU-1", "unit_price_minor": 1250}],
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "placed_at": "2026-01-15T10:30:00Z",
                    "total_minor": 2500,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderPlaced",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str = Field(pattern="^[A-Z]{3}$")
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_minor: int = Field(ge=0)
    placed_at: datetime


class OrderPlaced(Event):
    """A customer placed an order; it is ``pending`` until payment confirms it.

    Emitted once per order, in the transaction that creates it. Version 2 adds ``channel``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "web",
                    "currency": "EUR",
                    "customer_id": "5d2e9a10-3c4b-4f7a-8e21-6b9d0c1f2e33",
                    "lines": [{"quantity": 2, "sku": "SKU-1", "unit_price_minor": 1250}],
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "placed_at": "2026-01-15T10:30:00Z",
                    "total_minor": 2500,
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderPlaced",
        version=2,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str = Field(pattern="^[A-Z]{3}$")
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_minor: int = Field(ge=0)
    placed_at: datetime
    channel: str | None = Field(
        default=None,
        max_length=32,
        description="Where the order was placed (e.g. web, app, api); null when unknown.",
    )


class OrderRefunded(Event):
    """An admin refunded the order; the money goes back through the provider."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount_minor": 2500,
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "reason": "damaged",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderRefunded",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    reason: str = Field(max_length=200)


class OrderRejected(Event):
    """The submission did not become an order; ``reason`` is a stable code.

    Reasons: ``unknown_sku``, ``sku_inactive``, ``out_of_stock``, ``currency_mismatch``,
    ``unknown_currency``, ``bad_quantity``, ``price_not_allowed``, ``invalid_payload``,
    ``unauthorized_source``. New reasons may be added; treat an unknown one as a rejection.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "kafka",
                    "client_id": "5f0c8a9e-2b7d-4c1e-9a3f-6d8e7b2c1a40",
                    "detail": "MUG-1: 3 requested, 1 available",
                    "external_reference": "pos-berlin-000123",
                    "reason": "out_of_stock",
                    "rejected_at": "2026-11-29T12:00:00Z",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderRejected",
        version=1,
        topic="intake.replies.v1",
        key="client_id",
        aggregate_type="submission",
    )
    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    reason: str = Field(max_length=64, description="A stable, machine-readable code")
    detail: str = Field(max_length=500, description="What was wrong, for people")
    channel: str = Field(description="http or kafka: the door the submission came through")
    rejected_at: datetime


class OrderShipped(Event):
    """The parcel left the warehouse."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderShipped",
        version=1,
        topic="orders.order.v1",
        key="order_id",
        aggregate_type="order",
    )
    order_id: uuid.UUID
    shipment_id: uuid.UUID


class OrderSubmitted(Event):
    """An upstream service submits an order it knows as ``external_reference``.

    Lines are priced from the catalog; SKUs must exist, be active and be priced in
    ``currency``; stock is reserved. With ``payment`` the order is confirmed, else pending.
    A record that breaks this schema still reaches the intake (``problem`` says why): a known
    source gets an ``OrderRejected`` (``invalid_payload``) and the record a dead letter.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "currency": "EUR",
                    "customer_id": "6f1c1f55-6b0e-4a53-9d59-1c4f6f0b1e29",
                    "external_reference": "pos-berlin-000123",
                    "lines": [{"quantity": 2, "sku": "MUG-BLUE-350"}],
                    "payment": {"method": "external", "reference": "pos-pay-981"},
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.OrderSubmitted",
        version=1,
        topic="intake.orders.v1",
        key="external_reference",
        aggregate_type="submission",
    )
    external_reference: str = Field(
        max_length=100, min_length=1, pattern="^[A-Za-z0-9._:/-]+$", description="Your order id"
    )
    customer_id: uuid.UUID
    currency: str = Field(pattern="^[A-Z]{3}$", description="ISO 4217 code")
    lines: tuple[SubmittedLine, ...] = Field(max_length=100, min_length=1)
    payment: ExternalPayment | None = Field(default=None)


class SubmittedOrderCancelled(Event):
    """The order a submission became (``OrderAccepted``) was cancelled afterwards.

    ``refund`` says who gives the customer's money back: ``upstream`` when the client took
    the payment itself (``payment.method`` ``external``): orderflow charged nothing and
    refunds nothing, the refund is the client's to make; ``none`` when nothing was paid.
    New values may be added; treat an unknown one as "ask us".
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cancelled_at": "2026-11-29T13:00:00Z",
                    "client_id": "5f0c8a9e-2b7d-4c1e-9a3f-6d8e7b2c1a40",
                    "external_reference": "pos-berlin-000123",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "reason": "customer_request",
                    "refund": "upstream",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="orders.SubmittedOrderCancelled",
        version=1,
        topic="intake.replies.v1",
        key="client_id",
        aggregate_type="submission",
    )
    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    order_id: uuid.UUID
    reason: str = Field(max_length=64, description="Why the order was cancelled")
    refund: str = Field(description="upstream (the client refunds) or none (nothing was paid)")
    cancelled_at: datetime

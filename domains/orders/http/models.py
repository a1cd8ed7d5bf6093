"""Request and response bodies of the orders routes (their OpenAPI schemas)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domains.identity.api import Principal
from domains.orders.lines import MAX_LINES
from domains.orders.model import MAX_REFUND_REASON, Order
from domains.orders.views import order_document
from domains.shared.fields import NOT_BLANK, Currency, StrictInt

# The composition root's dependency that authenticates the caller (401 otherwise).
PrincipalDependency = Callable[..., Awaitable[Principal]]

Sku = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["MUG-BLUE-350"]),
]


class CartItemIn(BaseModel):
    """One SKU and how many of it."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: StrictInt = Field(gt=0, le=10_000)


class PaymentIn(BaseModel):
    """How to pay: the provider's token for the card (never card data)."""

    model_config = ConfigDict(extra="forbid")

    card_token: str = Field(
        min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$", examples=["tok_visa"]
    )


class CheckoutIn(BaseModel):
    """Body of ``POST /v1/checkout``: prices come from the catalog, not from the client."""

    model_config = ConfigDict(extra="forbid")

    currency: Currency
    items: list[CartItemIn] = Field(min_length=1, max_length=MAX_LINES)
    payment: PaymentIn


class RefundIn(BaseModel):
    """Body of ``POST /v1/admin/orders/{id}/refund``."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1,
        max_length=MAX_REFUND_REASON,
        examples=["damaged in transit"],
        json_schema_extra=NOT_BLANK,  # checked by the domain: bad_reason
    )


class OrderLineOut(BaseModel):
    """One line of an order."""

    sku: str
    quantity: int
    unit_price_minor: int


class OrderOut(BaseModel):
    """An order as the API shows it."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    status: str = Field(
        description="pending, payment_pending, confirmed, fulfilling, cancellation_requested, "
        "shipped, delivered, cancelled or refunded"
    )
    currency: str
    total_minor: int
    version: int
    placed_at: datetime
    lines: list[OrderLineOut]

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        """The view of ``order``."""
        return cls.model_validate(order_document(order))


class PendingOrderOut(OrderOut):
    """202 from checkout: the order waits for the provider's answer."""

    detail: str

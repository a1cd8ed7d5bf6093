"""Request and response bodies of the orders routes (their OpenAPI schemas)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domains.identity.api import Principal
from domains.orders.lines import MAX_LINES
from domains.orders.model import Order
from domains.orders.views import order_document

# The composition root's dependency that authenticates the caller (401 otherwise).
PrincipalDependency = Callable[..., Awaitable[Principal]]

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]


class Problem(BaseModel):
    """An RFC 9457 problem (``application/problem+json``); ``code`` is stable."""

    type: str
    title: str
    status: int
    code: str = Field(description="Machine-readable, stable error code")
    detail: str
    model_config = ConfigDict(extra="allow")


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for problem statuses (``described`` overrides: ``_402="..."``)."""
    texts = {
        400: "Malformed request or missing header",
        401: "Missing, expired or forged access token",
        402: "Payment declined (code payment_declined); the order is cancelled",
        403: "Authenticated but not allowed",
        404: "No such order (or not yours)",
        409: "Conflicts with the current state (illegal_transition, concurrent_update, ...)",
        422: "The body breaks the schema or a domain rule",
        503: "The payment provider is unavailable (code payment_provider_circuit_open)",
    }
    texts.update({int(k.lstrip("_")): v for k, v in described.items()})
    return {
        s: {"model": Problem, "description": texts[s], "content": {"application/problem+json": {}}}
        for s in statuses
    }


class OrderLineIn(BaseModel):
    """One line of a new order."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: int = Field(gt=0, le=10_000)
    unit_price_minor: int = Field(ge=0, le=10**12, description="Unit price in minor units")


class PlaceOrderIn(BaseModel):
    """Body of ``POST /v1/orders`` (trusted upstream services; shoppers use checkout)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    currency: Currency
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


class CartItemIn(BaseModel):
    """One SKU and how many of it."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: int = Field(gt=0, le=10_000)


class PaymentIn(BaseModel):
    """How to pay: the provider's token for the card (never card data)."""

    model_config = ConfigDict(extra="forbid")

    card_token: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


class CheckoutIn(BaseModel):
    """Body of ``POST /v1/checkout``: prices come from the catalog, not from the client."""

    model_config = ConfigDict(extra="forbid")

    currency: Currency
    items: list[CartItemIn] = Field(min_length=1, max_length=MAX_LINES)
    payment: PaymentIn


class RefundIn(BaseModel):
    """Body of ``POST /v1/admin/orders/{id}/refund``."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)


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

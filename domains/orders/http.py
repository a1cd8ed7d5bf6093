"""HTTP routes of the orders domain (mounted by the composition root)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from domains.orders.handlers import PlaceOrder, get_order, place_order
from domains.orders.model import MAX_LINES, Order, OrderLine
from domains.orders.unit_of_work import OrdersUnitOfWork

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class OrderLineIn(BaseModel):
    """One line of a new order."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: int = Field(gt=0, le=10_000)
    unit_price_minor: int = Field(ge=0, le=10**12, description="Unit price in minor units")


class PlaceOrderIn(BaseModel):
    """Body of ``POST /v1/orders``."""

    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


class OrderLineOut(BaseModel):
    """One line of an order."""

    sku: str
    quantity: int
    unit_price_minor: int


class OrderOut(BaseModel):
    """An order as the API shows it."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    status: str
    currency: str
    total_minor: int
    version: int
    placed_at: datetime
    lines: list[OrderLineOut]

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        """The view of ``order``."""
        return cls(
            order_id=order.id,
            customer_id=order.customer_id,
            status=order.status.value,
            currency=order.currency,
            total_minor=order.total_minor,
            version=order.version,
            placed_at=order.placed_at,
            lines=[OrderLineOut(**vars(line)) for line in order.lines],
        )


def build_router(uow: Callable[[], OrdersUnitOfWork]) -> APIRouter:
    """The ``/v1/orders`` routes, with ``uow`` making one unit of work per request."""
    router = APIRouter(prefix="/v1/orders", tags=["orders"])

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
    async def post_order(body: PlaceOrderIn, response: Response) -> OrderOut:
        """Place an order; it is ``pending`` and its ``OrderPlaced`` event is on its way."""
        command = PlaceOrder(
            customer_id=body.customer_id,
            currency=body.currency,
            lines=tuple(OrderLine(**line.model_dump()) for line in body.lines),
        )
        order = await place_order(command, uow())
        response.headers["Location"] = f"/v1/orders/{order.id}"
        return OrderOut.of(order)

    @router.get("/{order_id}", response_model=OrderOut)
    async def read_order(order_id: uuid.UUID) -> OrderOut:
        """One order."""
        return OrderOut.of(await get_order(order_id, uow()))

    return router

"""``OrderPlaced``: a customer placed an order."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from events.registry import IntegrationEvent, registry


class OrderLine(BaseModel):
    """One line of an order: what, how many, at which unit price (minor units)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0)
    unit_price_minor: int = Field(ge=0)


@registry.register(
    event_type="orders.OrderPlaced",
    version=1,
    topic="orders.order.v1",
    key="order_id",
    aggregate_type="order",
)
class OrderPlaced(IntegrationEvent):
    """A customer placed an order; it is ``pending`` until payment confirms it.

    Emitted once per order, in the transaction that creates it.
    """

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_minor: int = Field(ge=0)
    placed_at: datetime

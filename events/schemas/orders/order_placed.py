"""``OrderPlaced``: a customer placed an order.

History on ``orders.order.v1``:

- v1: the order, its lines and its total.
- v2: adds the optional ``channel`` the order came through. v1 payloads are upcast with
  ``channel = None`` (unknown: v1 never recorded it).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from events.registry import IntegrationEvent, Payload, registry

TOPIC = "orders.order.v1"

_EXAMPLE_V1: Payload = {
    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
    "customer_id": "5d2e9a10-3c4b-4f7a-8e21-6b9d0c1f2e33",
    "currency": "EUR",
    "lines": [{"sku": "SKU-1", "quantity": 2, "unit_price_minor": 1250}],
    "total_minor": 2500,
    "placed_at": "2026-01-15T10:30:00Z",
}


class OrderLine(BaseModel):
    """One line of an order: what, how many, at which unit price (minor units)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0)
    unit_price_minor: int = Field(ge=0)


@registry.register(
    event_type="orders.OrderPlaced", version=1, topic=TOPIC, key="order_id", aggregate_type="order"
)
class OrderPlacedV1(IntegrationEvent):
    """A customer placed an order; it is ``pending`` until payment confirms it.

    Emitted once per order, in the transaction that creates it. Superseded by v2; kept so that
    records already on the topic can still be read (they are upcast to v2).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_V1]})

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_minor: int = Field(ge=0)
    placed_at: datetime


@registry.register(
    event_type="orders.OrderPlaced", version=2, topic=TOPIC, key="order_id", aggregate_type="order"
)
class OrderPlaced(IntegrationEvent):
    """A customer placed an order; it is ``pending`` until payment confirms it.

    Emitted once per order, in the transaction that creates it. Version 2 adds ``channel``.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{**_EXAMPLE_V1, "channel": "web"}]})

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_minor: int = Field(ge=0)
    placed_at: datetime
    channel: str | None = Field(
        default=None,
        max_length=32,
        description="Where the order was placed (e.g. web, app, api); null when unknown.",
    )


@registry.upcaster(event_type="orders.OrderPlaced", from_version=1)
def order_placed_v1_to_v2(payload: Payload) -> Payload:
    """v1 did not record the channel: it is unknown."""
    return {**payload, "channel": None}

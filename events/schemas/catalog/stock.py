"""``StockAdjusted``, published to ``catalog.stock.v1`` keyed by product id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from events.registry import IntegrationEvent, registry


@registry.register(
    event_type="catalog.StockAdjusted",
    version=1,
    topic="catalog.stock.v1",
    key="product_id",
    aggregate_type="stock",
)
class StockAdjusted(IntegrationEvent):
    """An admin corrected the stock of a product (a delivery, a stock take, breakage).

    Emitted in the transaction of the adjustment. ``available`` is the sellable quantity
    right after it; reservations change it without an event of this type.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                    "delta": 20,
                    "available": 25,
                    "reason": "delivery",
                    "adjusted_at": "2026-11-26T09:00:00Z",
                }
            ]
        }
    )

    product_id: uuid.UUID
    sku: str = Field(min_length=1, max_length=64)
    delta: int
    available: int = Field(ge=0)
    reason: str = Field(min_length=1, max_length=200)
    adjusted_at: datetime

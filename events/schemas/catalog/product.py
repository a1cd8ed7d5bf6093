"""Events of the product aggregate, published to ``catalog.product.v1`` keyed by product id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from events.registry import IntegrationEvent, registry

_PRODUCT = {"topic": "catalog.product.v1", "key": "product_id", "aggregate_type": "product"}


@registry.register(event_type="catalog.ProductCreated", version=1, **_PRODUCT)
class ProductCreated(IntegrationEvent):
    """An admin added a product to the catalog.

    Emitted once per product, in the transaction that creates it (aggregate version 1).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                    "name": "Blue mug",
                    "description": "350 ml stoneware",
                    "price_minor": 1299,
                    "currency": "EUR",
                    "active": True,
                    "created_at": "2026-11-26T10:00:00Z",
                }
            ]
        }
    )

    product_id: uuid.UUID
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    description: str
    price_minor: int = Field(ge=0, description="Unit price in minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    active: bool
    created_at: datetime


@registry.register(event_type="catalog.ProductUpdated", version=1, **_PRODUCT)
class ProductUpdated(IntegrationEvent):
    """An admin changed a product's name, description or active flag.

    Emitted in the transaction of the change; carries the product's values after it.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                    "name": "Blue mug",
                    "description": "350 ml stoneware",
                    "active": False,
                    "updated_at": "2026-11-26T11:00:00Z",
                }
            ]
        }
    )

    product_id: uuid.UUID
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    description: str
    active: bool
    updated_at: datetime


@registry.register(event_type="catalog.PriceChanged", version=1, **_PRODUCT)
class PriceChanged(IntegrationEvent):
    """An admin changed a product's unit price (and possibly its currency).

    Emitted in the transaction of the change; orders placed before keep their old prices.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                    "old_price_minor": 1299,
                    "old_currency": "EUR",
                    "price_minor": 1499,
                    "currency": "EUR",
                    "changed_at": "2026-11-26T12:00:00Z",
                }
            ]
        }
    )

    product_id: uuid.UUID
    sku: str = Field(min_length=1, max_length=64)
    old_price_minor: int = Field(ge=0)
    old_currency: str = Field(pattern=r"^[A-Z]{3}$")
    price_minor: int = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    changed_at: datetime

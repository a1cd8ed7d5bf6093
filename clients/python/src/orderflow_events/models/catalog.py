"""Events of the ``catalog`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from orderflow_events.base import Event, EventSpec, Model


class ReservedItem(Model):
    """``quantity`` units of ``sku`` held by a reservation."""

    sku: str = Field(max_length=64, min_length=1)
    quantity: int = Field(gt=0)


class InventoryCommitted(Event):
    """A reservation became final: its stock is sold and will not come back.

    Emitted once, in the transaction that committed it (aggregate version 2).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "committed_at": "2026-11-26T10:06:00Z",
                    "items": [{"quantity": 2, "sku": "MUG-BLUE-350"}],
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.InventoryCommitted",
        version=1,
        topic="catalog.reservation.v1",
        key="reservation_id",
        aggregate_type="reservation",
    )
    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    committed_at: datetime


class InventoryReleased(Event):
    """A reservation's stock is sellable again: it was given up, or its order was cancelled.

    Emitted once, in the transaction that returned the stock: aggregate version 2 for a
    reservation released before it was committed, 3 for a committed one put back on sale.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [{"quantity": 2, "sku": "MUG-BLUE-350"}],
                    "released_at": "2026-11-26T10:06:00Z",
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.InventoryReleased",
        version=1,
        topic="catalog.reservation.v1",
        key="reservation_id",
        aggregate_type="reservation",
    )
    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    released_at: datetime


class InventoryReserved(Event):
    """Stock was set aside for a reservation (usually one checkout).

    Emitted in the caller's transaction that took the stock (aggregate version 1).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [{"quantity": 2, "sku": "MUG-BLUE-350"}],
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                    "reserved_at": "2026-11-26T10:05:00Z",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.InventoryReserved",
        version=1,
        topic="catalog.reservation.v1",
        key="reservation_id",
        aggregate_type="reservation",
    )
    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    reserved_at: datetime


class PriceChanged(Event):
    """An admin changed a product's unit price (and possibly its currency).

    Emitted in the transaction of the change; orders placed before keep their old prices.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changed_at": "2026-11-26T12:00:00Z",
                    "currency": "EUR",
                    "old_currency": "EUR",
                    "old_price_minor": 1299,
                    "price_minor": 1499,
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.PriceChanged",
        version=1,
        topic="catalog.product.v1",
        key="product_id",
        aggregate_type="product",
    )
    product_id: uuid.UUID
    sku: str = Field(max_length=64, min_length=1)
    old_price_minor: int = Field(ge=0)
    old_currency: str = Field(pattern="^[A-Z]{3}$")
    price_minor: int = Field(ge=0)
    currency: str = Field(pattern="^[A-Z]{3}$")
    changed_at: datetime


class ProductCreated(Event):
    """An admin added a product to the catalog.

    Emitted once per product, in the transaction that creates it (aggregate version 1).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "active": True,
                    "created_at": "2026-11-26T10:00:00Z",
                    "currency": "EUR",
                    "description": "350 ml stoneware",
                    "name": "Blue mug",
                    "price_minor": 1299,
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.ProductCreated",
        version=1,
        topic="catalog.product.v1",
        key="product_id",
        aggregate_type="product",
    )
    product_id: uuid.UUID
    sku: str = Field(max_length=64, min_length=1)
    name: str = Field(min_length=1)
    description: str
    price_minor: int = Field(ge=0, description="Unit price in minor units")
    currency: str = Field(pattern="^[A-Z]{3}$")
    active: bool
    created_at: datetime


class ProductUpdated(Event):
    """An admin changed a product's name, description or active flag.

    Emitted in the transaction of the change; carries the product's values after it.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "active": False,
                    "description": "350 ml stoneware",
                    "name": "Blue mug",
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "sku": "MUG-BLUE-350",
                    "updated_at": "2026-11-26T11:00:00Z",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.ProductUpdated",
        version=1,
        topic="catalog.product.v1",
        key="product_id",
        aggregate_type="product",
    )
    product_id: uuid.UUID
    sku: str = Field(max_length=64, min_length=1)
    name: str = Field(min_length=1)
    description: str
    active: bool
    updated_at: datetime


class StockAdjusted(Event):
    """An admin corrected the stock of a product (a delivery, a stock take, breakage).

    Emitted in the transaction of the adjustment. ``available`` is the sellable quantity
    right after it; reservations change it without an event of this type.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "adjusted_at": "2026-11-26T09:00:00Z",
                    "available": 25,
                    "delta": 20,
                    "product_id": "5b0c9a3e-2f61-4d7a-9c1e-3a4b5c6d7e8f",
                    "reason": "delivery",
                    "sku": "MUG-BLUE-350",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="catalog.StockAdjusted",
        version=1,
        topic="catalog.stock.v1",
        key="product_id",
        aggregate_type="stock",
    )
    product_id: uuid.UUID
    sku: str = Field(max_length=64, min_length=1)
    delta: int
    available: int = Field(ge=0)
    reason: str = Field(max_length=200, min_length=1)
    adjusted_at: datetime

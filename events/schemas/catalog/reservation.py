"""Events of the stock reservation aggregate, on ``catalog.reservation.v1`` keyed by its id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from events.registry import IntegrationEvent, registry

_RESERVATION = {
    "topic": "catalog.reservation.v1",
    "key": "reservation_id",
    "aggregate_type": "reservation",
}


class ReservedItem(BaseModel):
    """``quantity`` units of ``sku`` held by a reservation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0)


@registry.register(event_type="catalog.InventoryReserved", version=1, **_RESERVATION)
class InventoryReserved(IntegrationEvent):
    """Stock was set aside for a reservation (usually one checkout).

    Emitted in the caller's transaction that took the stock (aggregate version 1).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                    "items": [{"sku": "MUG-BLUE-350", "quantity": 2}],
                    "reserved_at": "2026-11-26T10:05:00Z",
                }
            ]
        }
    )

    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    reserved_at: datetime


@registry.register(event_type="catalog.InventoryReleased", version=1, **_RESERVATION)
class InventoryReleased(IntegrationEvent):
    """A reservation's stock is sellable again: it was given up, or its order was cancelled.

    Emitted once, in the transaction that returned the stock: aggregate version 2 for a
    reservation released before it was committed, 3 for a committed one put back on sale.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                    "items": [{"sku": "MUG-BLUE-350", "quantity": 2}],
                    "released_at": "2026-11-26T10:06:00Z",
                }
            ]
        }
    )

    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    released_at: datetime


@registry.register(event_type="catalog.InventoryCommitted", version=1, **_RESERVATION)
class InventoryCommitted(IntegrationEvent):
    """A reservation became final: its stock is sold and will not come back.

    Emitted once, in the transaction that committed it (aggregate version 2).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reservation_id": "8d7c6b5a-4e3f-4a2b-9c1d-0e1f2a3b4c5d",
                    "items": [{"sku": "MUG-BLUE-350", "quantity": 2}],
                    "committed_at": "2026-11-26T10:06:00Z",
                }
            ]
        }
    )

    reservation_id: uuid.UUID
    items: tuple[ReservedItem, ...] = Field(min_length=1)
    committed_at: datetime

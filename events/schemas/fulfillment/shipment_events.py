"""Shipment milestones, keyed by ``shipment_id``; ``order_id`` says which order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pydantic import ConfigDict, Field, JsonValue

from events.registry import IntegrationEvent, registry

_E = TypeVar("_E", bound=IntegrationEvent)
TOPIC = "fulfillment.shipment.v1"
_IDS = {
    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
}


def _examples(**fields: JsonValue) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{**_IDS, **fields}]})


def _shipment_event(name: str) -> Callable[[type[_E]], type[_E]]:
    return registry.register(
        event_type=f"fulfillment.{name}",
        version=1,
        topic=TOPIC,
        key="shipment_id",
        aggregate_type="shipment",
    )


@_shipment_event("ShipmentCreated")
class ShipmentCreated(IntegrationEvent):
    """A shipment was created for an order (at most one per order)."""

    model_config = _examples(created_at="2026-01-15T10:31:00Z")

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    created_at: datetime


@_shipment_event("ShipmentShipped")
class ShipmentShipped(IntegrationEvent):
    """The parcel was handed to the carrier."""

    model_config = _examples(
        carrier="dhl", tracking_number="JD0123456789", shipped_at="2026-01-16T08:00:00Z"
    )

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    carrier: str | None = Field(default=None, max_length=64)
    tracking_number: str | None = Field(default=None, max_length=128)
    shipped_at: datetime


@_shipment_event("ShipmentDelivered")
class ShipmentDelivered(IntegrationEvent):
    """The carrier delivered the parcel."""

    model_config = _examples(delivered_at="2026-01-18T14:00:00Z")

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    delivered_at: datetime


@_shipment_event("ShipmentCancelled")
class ShipmentCancelled(IntegrationEvent):
    """The shipment was cancelled before the carrier took the parcel: nothing will be sent.

    Emitted once per shipment, after the carrier voided the label (when one was booked). A
    shipment is either cancelled or shipped, never both: the cancellation of an order whose
    parcel the carrier has already is refused instead (``orders.OrderCancellationRejected``).
    """

    model_config = _examples(cancelled_at="2026-01-15T11:02:00Z")

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    cancelled_at: datetime

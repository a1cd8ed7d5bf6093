"""Events of the ``fulfillment`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from orderflow_events.base import Event, EventSpec


class ShipmentCancelled(Event):
    """The shipment was cancelled before the carrier took the parcel: nothing will be sent.

    Emitted once per shipment, after the carrier voided the label (when one was booked). A
    shipment is either cancelled or shipped, never both: the cancellation of an order whose
    parcel the carrier has already is refused instead (``orders.OrderCancellationRejected``).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cancelled_at": "2026-01-15T11:02:00Z",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="fulfillment.ShipmentCancelled",
        version=1,
        topic="fulfillment.shipment.v1",
        key="shipment_id",
        aggregate_type="shipment",
    )
    shipment_id: uuid.UUID
    order_id: uuid.UUID
    cancelled_at: datetime


class ShipmentCreated(Event):
    """A shipment was created for an order (at most one per order)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created_at": "2026-01-15T10:31:00Z",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="fulfillment.ShipmentCreated",
        version=1,
        topic="fulfillment.shipment.v1",
        key="shipment_id",
        aggregate_type="shipment",
    )
    shipment_id: uuid.UUID
    order_id: uuid.UUID
    created_at: datetime


class ShipmentDelivered(Event):
    """The carrier delivered the parcel."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "delivered_at": "2026-01-18T14:00:00Z",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="fulfillment.ShipmentDelivered",
        version=1,
        topic="fulfillment.shipment.v1",
        key="shipment_id",
        aggregate_type="shipment",
    )
    shipment_id: uuid.UUID
    order_id: uuid.UUID
    delivered_at: datetime


class ShipmentShipped(Event):
    """The parcel was handed to the carrier."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "carrier": "dhl",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "shipment_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "shipped_at": "2026-01-16T08:00:00Z",
                    "tracking_number": "JD0123456789",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="fulfillment.ShipmentShipped",
        version=1,
        topic="fulfillment.shipment.v1",
        key="shipment_id",
        aggregate_type="shipment",
    )
    shipment_id: uuid.UUID
    order_id: uuid.UUID
    carrier: str | None = Field(default=None, max_length=64)
    tracking_number: str | None = Field(default=None, max_length=128)
    shipped_at: datetime

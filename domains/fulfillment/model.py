"""Shipments: plain Python, no persistence or framework code.

A shipment is an immutable value: every step returns the next shipment, which records a
``ShipmentChanged`` domain event (the unit of work publishes those that other teams see).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from domains.shared import Conflict


class ShipmentStatus(enum.StrEnum):
    """Where a parcel is."""

    CREATED = "created"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


S = ShipmentStatus
TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.CREATED: frozenset({S.PICKED, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class ShipmentChanged:
    """Domain event: the shipment was created or reached ``shipment.status`` at ``at``."""

    shipment: Shipment
    at: datetime


@dataclass(frozen=True)
class Shipment:
    """The one shipment of an order."""

    id: uuid.UUID
    order_id: uuid.UUID
    status: ShipmentStatus
    version: int = 1
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    events: list[object] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(cls, order_id: uuid.UUID) -> Shipment:
        """A new shipment, ``created``."""
        shipment = cls(id=uuid.uuid4(), order_id=order_id, status=S.CREATED)
        shipment.events.append(ShipmentChanged(shipment.snapshot(), datetime.now(UTC)))
        return shipment

    def advance(
        self, target: ShipmentStatus, *, carrier: str | None = None, tracking: str | None = None
    ) -> Shipment:
        """The shipment moved on to ``target``; raises ``Conflict(illegal_transition)``."""
        if target not in TRANSITIONS[self.status]:
            raise Conflict(
                f"shipment {self.id} cannot go from {self.status.value} to {target.value}",
                code="illegal_transition",
            )
        now = datetime.now(UTC)
        after = replace(
            self,
            status=target,
            version=self.version + 1,
            carrier=carrier or self.carrier,
            tracking_number=tracking or self.tracking_number,
            shipped_at=now if target is S.SHIPPED else self.shipped_at,
            delivered_at=now if target is S.DELIVERED else self.delivered_at,
            events=list(self.events),  # the next shipment carries what this one recorded
        )
        after.events.append(ShipmentChanged(after.snapshot(), now))
        return after

    def snapshot(self) -> Shipment:
        """The shipment without its recorded events (what a domain event keeps)."""
        return replace(self, events=[])

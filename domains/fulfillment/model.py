"""Shipments: plain Python, no persistence or framework code.

A shipment is an immutable value: every step returns the next shipment, which records a
``ShipmentChanged`` domain event (the unit of work publishes those that other teams see).

The shipment row is where a cancellation and shipping meet: both are version-checked updates of
it, so exactly one of ``cancelling``/``cancelled`` and ``shipped`` is ever reached. ``shipped``
is the point of no return (the hand-over to the carrier is recorded with it and made after the
commit); before it, a cancellation wins. A cancellation waits in ``cancelling`` while the
carrier voids the label it booked, and ends ``cancelled`` only once the carrier said so — or
``shipped``, should the carrier answer that it has the parcel already.
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
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"


S = ShipmentStatus
TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.CREATED: frozenset({S.PICKED, S.CANCELLING, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.CANCELLING, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLING, S.CANCELLED}),
    # The carrier voided the label, or answered that it has the parcel already.
    S.CANCELLING: frozenset({S.CANCELLED, S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Still in the warehouse: a cancellation can win.
NOT_LEFT = frozenset({S.CREATED, S.PICKED, S.PACKED})


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
        return cls._new(order_id, S.CREATED)

    @classmethod
    def cancelled_before_start(cls, order_id: uuid.UUID) -> Shipment:
        """The shipment of an order cancelled before fulfillment took it on: ``cancelled``.

        It stands in the order's place, so a confirmation handled late creates nothing.
        """
        return cls._new(order_id, S.CANCELLED)

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

    def labelled(self, carrier: str, tracking: str) -> Shipment:
        """The shipment with the carrier's label (no step: nothing to publish)."""
        return replace(
            self,
            version=self.version + 1,
            carrier=carrier,
            tracking_number=tracking,
            events=list(self.events),
        )

    def snapshot(self) -> Shipment:
        """The shipment without its recorded events (what a domain event keeps)."""
        return replace(self, events=[])

    @classmethod
    def _new(cls, order_id: uuid.UUID, status: ShipmentStatus) -> Shipment:
        shipment = cls(id=uuid.uuid4(), order_id=order_id, status=status)
        shipment.events.append(ShipmentChanged(shipment.snapshot(), datetime.now(UTC)))
        return shipment

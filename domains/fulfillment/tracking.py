"""Delivery tracking's bookkeeping: which shipped parcel to ask the carrier about next.

Parcels are asked about least recently asked first (round robin), so every one in transit is
asked within a bounded number of passes whatever the others do. A parcel the carrier does not
know (it was never booked there, or the carrier lost it) is asked again later and later: it
cannot change by itself, and asking at full rate would spend the carrier calls the parcels on
their way need. Plain Python: the repository stores what is decided here.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class TrackingAnswer(enum.StrEnum):
    """What the carrier said about one parcel."""

    IN_TRANSIT = "in_transit"  # known, not delivered yet (booked or on its way)
    DELIVERED = "delivered"
    UNKNOWN = "unknown"  # the carrier has no such parcel
    UNAVAILABLE = "unavailable"  # no answer (unreachable, timed out, 5xx) or a refusal


@dataclass(frozen=True)
class TrackedShipment:
    """A shipped shipment claimed for one tracking pass."""

    id: uuid.UUID
    order_id: uuid.UUID
    unknown_answers: int  # the carrier's "no such parcel" in a row, before this pass
    correlation_id: str | None = None  # of the order's fulfillment, for the log lines


@dataclass(frozen=True)
class LostParcel:
    """A shipped parcel whose last answer from the carrier was "no such parcel", as operators
    see it (``orderflow fulfillment unknown-parcels``)."""

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    unknown_answers: int  # in a row
    last_asked_at: datetime | None
    next_question_at: datetime | None


@dataclass(frozen=True)
class UnknownParcelBackoff:
    """How long a parcel the carrier does not know waits before it is asked about again:
    ``initial_seconds`` after the first such answer, doubling with each one in a row, at most
    ``max_seconds``."""

    initial_seconds: float = 60.0
    max_seconds: float = 3600.0

    def delay_seconds(self, unknown_answers: int) -> float:
        """The wait after the ``unknown_answers``-th "no such parcel" in a row (1 or more)."""
        if unknown_answers < 1:
            return 0.0
        # Capped before it is raised to a power, so a parcel unknown for years cannot overflow.
        doublings = min(unknown_answers - 1, 32)
        return min(self.initial_seconds * 2.0**doublings, self.max_seconds)


@dataclass(frozen=True)
class UnknownParcel:
    """A parcel the carrier just said it does not have, and when to ask again."""

    shipment: TrackedShipment
    unknown_answers: int  # in a row, this one included
    wait_seconds: float

    @classmethod
    def after(cls, shipment: TrackedShipment, backoff: UnknownParcelBackoff) -> UnknownParcel:
        """``shipment`` once the carrier answered "no such parcel" once more."""
        answers = shipment.unknown_answers + 1
        return cls(shipment, answers, backoff.delay_seconds(answers))

"""Stock levels and reservations: plain Python rules, no persistence code.

``available`` is what can still be sold; ``reserved`` is held by open reservations. A
reservation takes stock from ``available``; releasing gives it back, committing sells it.
"""

from __future__ import annotations

import enum
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from domains.catalog.pricing import MAX_QUANTITY, check_quantity
from domains.shared import Conflict, InvalidInput

MAX_ADJUSTMENT = 1_000_000
MAX_REASON = 200

Items = tuple[tuple[str, int], ...]


class OutOfStock(Conflict):
    """Not enough sellable stock of ``sku`` (code ``out_of_stock``)."""

    code = "out_of_stock"

    def __init__(self, sku: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}: {requested} requested, {available} available")
        self.sku = sku


def merge_items(items: Sequence[tuple[str, int]]) -> Items:
    """One (sku, quantity) per SKU, sorted by SKU so concurrent reservations lock in one order."""
    if not items:
        raise InvalidInput("a reservation needs at least one item", code="empty_reservation")
    totals: Counter[str] = Counter()
    for sku, quantity in items:
        check_quantity(sku, quantity)
        totals[sku] += quantity
    for sku, quantity in totals.items():
        if quantity > MAX_QUANTITY:
            check_quantity(sku, quantity)
    return tuple(sorted(totals.items()))


@dataclass(frozen=True)
class StockAdjusted:
    """Domain event: an admin changed the available stock by ``delta``."""

    stock: StockLevel
    delta: int
    reason: str
    version: int
    adjusted_at: datetime


@dataclass(eq=False)
class StockLevel:
    """The stock of one product."""

    product_id: uuid.UUID
    sku: str
    available: int
    reserved: int
    version: int = 1
    events: list[object] = field(default_factory=list)

    def adjust(self, delta: int, reason: str) -> None:
        """Add (or remove, when negative) ``delta`` units; available stock never goes below 0."""
        if delta == 0 or abs(delta) > MAX_ADJUSTMENT:
            raise InvalidInput(
                f"an adjustment is a non-zero change of at most {MAX_ADJUSTMENT} units",
                code="bad_adjustment",
            )
        if not reason.strip() or len(reason) > MAX_REASON:
            raise InvalidInput(f"a reason has 1 to {MAX_REASON} characters", code="bad_reason")
        if self.available + delta < 0:
            raise Conflict(
                f"{self.sku} has {self.available} available; cannot remove {-delta}",
                code="stock_below_zero",
            )
        self.available += delta
        self.version += 1
        self.events.append(
            StockAdjusted(
                replace(self, events=[]), delta, reason.strip(), self.version, datetime.now(UTC)
            )
        )


class ReservationStatus(enum.StrEnum):
    """Where a reservation is in its life: reserved, then released or committed, never both.

    A committed reservation whose order was cancelled before shipping is ``returned``.
    """

    RESERVED = "reserved"
    RELEASED = "released"
    COMMITTED = "committed"
    RETURNED = "returned"  # committed, then given back (the order was cancelled before shipping)


@dataclass(frozen=True)
class ReservationChanged:
    """Domain event: the reservation reached ``status`` (reserved, released or committed)."""

    reservation: Reservation
    status: ReservationStatus
    version: int
    at: datetime


@dataclass(eq=False)
class Reservation:
    """Stock held for one purpose (a checkout), identified by the caller's id."""

    id: uuid.UUID
    items: Items
    status: ReservationStatus
    version: int = 1
    events: list[object] = field(default_factory=list)

    @classmethod
    def reserve(cls, reservation_id: uuid.UUID, items: Items) -> Reservation:
        """A new reservation of ``items`` (already merged)."""
        reservation = cls(reservation_id, items, ReservationStatus.RESERVED)
        reservation._record()
        return reservation

    def release(self) -> bool:
        """Give the stock back; False when it was already given back (idempotent)."""
        if self.status is ReservationStatus.COMMITTED:
            raise Conflict(
                f"reservation {self.id} is committed; its stock is sold",
                code="reservation_committed",
            )
        if self.status is ReservationStatus.RETURNED:
            return False  # its stock is back already
        return self._move_to(ReservationStatus.RELEASED)

    def commit(self) -> bool:
        """Make the reservation final; False when it was already committed (idempotent)."""
        if self.status in (ReservationStatus.RELEASED, ReservationStatus.RETURNED):
            raise Conflict(
                f"reservation {self.id} was released; reserve again", code="reservation_released"
            )
        return self._move_to(ReservationStatus.COMMITTED)

    def give_back(self) -> bool:
        """Return committed stock (its order was cancelled before shipping); False if done."""
        if self.status is not ReservationStatus.COMMITTED:
            return False
        return self._move_to(ReservationStatus.RETURNED)

    def _move_to(self, status: ReservationStatus) -> bool:
        if self.status is status:
            return False
        self.status = status
        self.version += 1
        self._record()
        return True

    def _record(self) -> None:
        self.events.append(ReservationChanged(self, self.status, self.version, datetime.now(UTC)))

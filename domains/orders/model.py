"""The order aggregate: plain Python, no persistence or framework code."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domains.orders import events as ev
from domains.orders.lines import MAX_LINES, OrderLine
from domains.shared import Conflict, InvalidInput, is_currency

# What a refund reason may be: the OrderRefunded event carries it (max_length 200 there).
MAX_REFUND_REASON = 200


class OrderStatus(enum.StrEnum):
    """Where an order is in its life."""

    PENDING = "pending"
    PAYMENT_PENDING = "payment_pending"
    CONFIRMED = "confirmed"
    FULFILLING = "fulfilling"
    CANCELLATION_REQUESTED = "cancellation_requested"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderStatus
# The whole state machine. Anything not listed here is an illegal transition.
# A paid order is cancelled in two steps (a saga): CANCELLATION_REQUESTED first, then CANCELLED
# once fulfillment stopped its shipment (refund and restock go with it), or back to FULFILLING
# when the parcel had left (the cancellation is rejected, nothing refunded). Refunds by an
# admin are for orders that shipped; before that, cancel.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.PAYMENT_PENDING, S.CONFIRMED, S.CANCELLED}),
    S.PAYMENT_PENDING: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.FULFILLING, S.CANCELLATION_REQUESTED}),
    S.FULFILLING: frozenset({S.SHIPPED, S.CANCELLATION_REQUESTED}),
    S.CANCELLATION_REQUESTED: frozenset({S.CANCELLED, S.FULFILLING}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
# States in which the customer has been charged.
PAID = frozenset({S.CONFIRMED, S.FULFILLING, S.CANCELLATION_REQUESTED, S.SHIPPED, S.DELIVERED})


@dataclass(eq=False)
class Order:
    """An order with its lines. ``version`` grows by one with every change."""

    id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    lines: tuple[OrderLine, ...]
    status: OrderStatus
    placed_at: datetime
    version: int = 1
    updated_at: datetime | None = None
    events: list[object] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        """The order total in minor units."""
        return sum(line.total_minor for line in self.lines)

    @classmethod
    def place(
        cls,
        customer_id: uuid.UUID,
        currency: str,
        lines: tuple[OrderLine, ...],
        *,
        order_id: uuid.UUID | None = None,
    ) -> Order:
        """Create a ``pending`` order, checking the rules every order obeys."""
        _check_order(currency, lines)
        now = datetime.now(UTC)
        order = cls(
            id=order_id or uuid.uuid4(),
            customer_id=customer_id,
            currency=currency,
            lines=lines,
            status=OrderStatus.PENDING,
            placed_at=now,
            updated_at=now,
        )
        order.events.append(
            ev.OrderPlaced(
                order_id=order.id,
                version=order.version,
                customer_id=customer_id,
                currency=currency,
                lines=lines,
                total_minor=order.total_minor,
                placed_at=order.placed_at,
            )
        )
        return order

    def await_payment(self) -> None:
        """The provider's answer is unknown: wait for reconciliation."""
        self._move_to(S.PAYMENT_PENDING)
        self._record(ev.OrderPaymentPending(self.id, self.version))

    def confirm(self, payment_reference: str) -> None:
        """Payment authorized: the order is confirmed."""
        self._move_to(S.CONFIRMED)
        self._record(ev.OrderConfirmed(self.id, self.version, payment_reference, self.total_minor))

    def cancel(self, reason: str, *, paid_upstream: bool = False) -> None:
        """Cancel the order: unpaid (declined or expired payment, the customer), or paid once its
        shipment was stopped (the refund goes with it, or is the upstream's: ``paid_upstream``)."""
        was_paid = self.status in PAID
        self._move_to(S.CANCELLED)
        self._record(
            ev.OrderCancelled(
                self.id, self.version, reason, was_paid, paid_upstream=was_paid and paid_upstream
            )
        )

    def request_cancellation(self, reason: str) -> None:
        """A paid order is to be cancelled: fulfillment stops its shipment first."""
        self._move_to(S.CANCELLATION_REQUESTED)
        self._record(ev.OrderCancellationRequested(self.id, self.version, reason))

    def reject_cancellation(self, reason: str) -> None:
        """The parcel left before the cancellation could stop it: fulfillment goes on."""
        self._move_to(S.FULFILLING, only_from=S.CANCELLATION_REQUESTED)
        self._record(ev.OrderCancellationRejected(self.id, self.version, reason))

    def refund(self, amount_minor: int, reason: str) -> None:
        """An admin refunded the whole order."""
        reason = refund_reason(reason)
        self._move_to(S.REFUNDED)
        self._record(ev.OrderRefunded(self.id, self.version, amount_minor, reason))

    def start_fulfilling(self, shipment_id: uuid.UUID) -> None:
        """Fulfillment took the order on."""
        self._move_to(S.FULFILLING, only_from=S.CONFIRMED)
        self._record(ev.OrderFulfilling(self.id, self.version, shipment_id))

    def ship(self, shipment_id: uuid.UUID) -> None:
        """The parcel left the warehouse."""
        self._move_to(S.SHIPPED)
        self._record(ev.OrderShipped(self.id, self.version, shipment_id))

    def deliver(self, shipment_id: uuid.UUID) -> None:
        """The parcel reached the customer."""
        self._move_to(S.DELIVERED)
        self._record(ev.OrderDelivered(self.id, self.version, shipment_id))

    @property
    def is_paid(self) -> bool:
        """Whether the customer has been charged for this order."""
        return self.status in PAID

    def _move_to(self, target: OrderStatus, *, only_from: OrderStatus | None = None) -> None:
        """Move to ``target``; ``only_from``: the one status this step starts from (two steps
        reach ``fulfilling``: fulfillment starting, and a rejected cancellation)."""
        if target not in TRANSITIONS[self.status] or only_from not in (None, self.status):
            raise Conflict(
                f"order {self.id} cannot go from {self.status.value} to {target.value}",
                code="illegal_transition",
            )
        self.status = target
        self.version += 1
        self.updated_at = datetime.now(UTC)

    def _record(self, event: ev.OrderEvent) -> None:
        self.events.append(event)


def refund_reason(reason: str) -> str:
    """The reason as stored: trimmed, 1 to ``MAX_REFUND_REASON`` characters, no NUL.

    Checked before the provider is asked to refund, so a reason the event or the database would
    refuse can never fail the request after the money went back (``bad_reason``).
    """
    normal = reason.strip()
    if not normal or len(normal) > MAX_REFUND_REASON or "\x00" in normal:
        raise InvalidInput(
            f"a refund reason has 1 to {MAX_REFUND_REASON} characters and no NUL",
            code="bad_reason",
        )
    return normal


def _check_order(currency: str, lines: tuple[OrderLine, ...]) -> None:
    if not is_currency(currency):
        raise InvalidInput(f"{currency!r} is not an ISO 4217 currency", code="unknown_currency")
    if not lines:
        raise InvalidInput("an order needs at least one line", code="empty_order")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"an order has at most {MAX_LINES} lines", code="too_many_lines")
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(f"quantity of {line.sku} must be positive", code="bad_quantity")
        if line.unit_price_minor < 0:
            raise InvalidInput(f"price of {line.sku} must not be negative", code="bad_price")

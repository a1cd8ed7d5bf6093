"""The order aggregate: plain Python, no persistence or framework code."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domains.shared import InvalidInput, is_currency

MAX_LINES = 100


class OrderStatus(enum.StrEnum):
    """Where an order is in its life."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class OrderLine:
    """``quantity`` units of ``sku`` at ``unit_price_minor`` each."""

    sku: str
    quantity: int
    unit_price_minor: int

    @property
    def total_minor(self) -> int:
        """The line total in minor units."""
        return self.quantity * self.unit_price_minor


@dataclass(frozen=True)
class OrderPlaced:
    """Domain event: the order was created ``pending``."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    lines: tuple[OrderLine, ...]
    total_minor: int
    placed_at: datetime
    version: int


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
    events: list[object] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        """The order total in minor units."""
        return sum(line.total_minor for line in self.lines)

    @classmethod
    def place(cls, customer_id: uuid.UUID, currency: str, lines: tuple[OrderLine, ...]) -> Order:
        """Create a ``pending`` order, checking the rules every order obeys."""
        _check_order(currency, lines)
        order = cls(
            id=uuid.uuid4(),
            customer_id=customer_id,
            currency=currency,
            lines=lines,
            status=OrderStatus.PENDING,
            placed_at=datetime.now(UTC),
        )
        order.events.append(
            OrderPlaced(
                order_id=order.id,
                customer_id=customer_id,
                currency=currency,
                lines=lines,
                total_minor=order.total_minor,
                placed_at=order.placed_at,
                version=order.version,
            )
        )
        return order


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

"""Orders as the events the recommendations group reads, and the pair counts they leave."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from events import Envelope, IntegrationEvent, new_envelope
from events.schemas.orders import (
    OrderCancelled,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    OrderRefunded,
)

Fate = Literal["pending", "confirmed", "cancelled_unpaid", "cancelled_paid", "refunded"]


@dataclass(frozen=True)
class Purchase:
    """An order of ``skus`` and how it ended."""

    skus: tuple[str, ...]
    fate: Fate
    order_id: uuid.UUID

    def events(self) -> list[tuple[IntegrationEvent, Envelope]]:
        """Its events as the orders domain emits them, in order."""
        lines = tuple(OrderLine(sku=s, quantity=1, unit_price_minor=100) for s in self.skus)
        total = 100 * len(lines)
        placed = OrderPlaced(
            order_id=self.order_id,
            customer_id=uuid.uuid4(),
            currency="EUR",
            lines=lines,
            total_minor=total,
            placed_at=datetime.now(UTC),
        )
        confirmed = OrderConfirmed(order_id=self.order_id, payment_reference="a", total_minor=total)
        endings: dict[Fate, list[IntegrationEvent]] = {
            "pending": [],
            "confirmed": [confirmed],
            "cancelled_unpaid": [
                OrderCancelled(order_id=self.order_id, reason="payment_declined", was_paid=False)
            ],
            "cancelled_paid": [
                confirmed,
                OrderCancelled(order_id=self.order_id, reason="customer_request", was_paid=True),
            ],
            "refunded": [
                confirmed,
                OrderRefunded(order_id=self.order_id, amount_minor=total, reason="damaged"),
            ],
        }
        after = endings[self.fate]
        return [
            (event, new_envelope(event, aggregate_version=version))
            for version, event in enumerate([placed, *after], start=1)
        ]

    @property
    def counts(self) -> bool:
        """Whether its products count as bought together in the end."""
        return self.fate == "confirmed" and len(set(self.skus)) > 1


def purchase(*skus: str, fate: Fate = "confirmed") -> Purchase:
    """A new order."""
    return Purchase(tuple(skus), fate, uuid.uuid4())


def expected_pairs(purchases: list[Purchase]) -> dict[tuple[str, str], int]:
    """The pair counts the purchases must leave (pairs with no order left out)."""
    counts: dict[tuple[str, str], int] = {}
    for p in purchases:
        if p.counts:
            for a in set(p.skus):
                for b in set(p.skus) - {a}:
                    counts[a, b] = counts.get((a, b), 0) + 1
    return counts


async def pairs_of(session: AsyncSession, skus: set[str]) -> dict[tuple[str, str], int]:
    """The non-zero pair counts among ``skus``."""
    rows = await session.execute(
        text(
            "SELECT sku, other_sku, orders FROM recommendations.pairs "
            "WHERE sku = ANY(:skus) AND orders <> 0"
        ),
        {"skus": sorted(skus)},
    )
    return {(a, b): n for a, b, n in rows.all()}

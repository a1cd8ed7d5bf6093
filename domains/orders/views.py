"""Orders as JSON documents (what the API returns and what idempotency replays store)."""

from __future__ import annotations

from typing import Any

from domains.orders.model import Order


def order_document(order: Order) -> dict[str, Any]:
    """The JSON view of ``order``."""
    return {
        "order_id": str(order.id),
        "customer_id": str(order.customer_id),
        "status": order.status.value,
        "currency": order.currency,
        "total_minor": order.total_minor,
        "version": order.version,
        "placed_at": order.placed_at.isoformat(),
        "lines": [vars(line) for line in order.lines],
    }

"""Orders as JSON documents (what the API returns and what idempotency replays store)."""

from __future__ import annotations

from typing import Any

from domains.orders.model import Order
from domains.shared import Conflict, DomainError, Forbidden, InvalidInput, NotFound

_STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
}


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


def problem_document(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem body, the same shape the HTTP edge renders."""
    return {
        "type": f"https://orderflow.dev/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (the same mapping as the HTTP edge)."""
    return next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)

"""The command both doors (HTTP and the Kafka intake topic) run, and what it answers."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from domains.identity.api import ServiceClient
from domains.orders.idempotency import request_hash
from domains.shared import InvalidInput, is_currency


class Channel(enum.StrEnum):
    """The door a submission came through."""

    HTTP = "http"
    KAFKA = "kafka"


@dataclass(frozen=True)
class SubmittedLine:
    """A line as the upstream sent it; ``unit_price_minor`` only with the price scope."""

    sku: str
    quantity: int
    unit_price_minor: int | None = None


@dataclass(frozen=True)
class SubmitOrder:
    """Command: ``client`` submits an order it knows as ``external_reference``.

    ``payment_reference`` names a payment the upstream already took (the order is confirmed);
    without it the order waits for payment, ``pending``.
    """

    client: ServiceClient
    external_reference: str
    customer_id: uuid.UUID
    currency: str
    lines: tuple[SubmittedLine, ...]
    channel: Channel
    payment_reference: str | None = None

    def __post_init__(self) -> None:
        # Refused before any database work: it needs no catalog to know.
        if not is_currency(self.currency):
            raise InvalidInput(
                f"{self.currency!r} is not an ISO 4217 currency", code="unknown_currency"
            )

    @property
    def request_hash(self) -> str:
        """The hash a repeated submission must match: the body, not the door or the key."""
        return request_hash(self.body())

    def body(self) -> dict[str, Any]:
        """What the submission says, as JSON-able values."""
        return {
            "external_reference": self.external_reference,
            "customer_id": str(self.customer_id),
            "currency": self.currency,
            "lines": [vars(line) for line in self.lines],
            "payment_reference": self.payment_reference,
        }


class Outcome(enum.StrEnum):
    """What became of a submission."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SubmissionResult:
    """The stored answer to one submission; ``replayed`` when an earlier one made it.

    Accepted: ``order_id`` and ``order`` (the order document when it was accepted); read later,
    ``order_status`` (the order's status now) and, once it was cancelled, ``refund`` (who
    refunds, as its ``SubmittedOrderCancelled`` reply says). Rejected:
    ``reason`` (a stable code), ``kind`` (the error kind, for the HTTP status) and ``detail``.
    """

    client_id: uuid.UUID
    external_reference: str
    outcome: Outcome
    channel: Channel
    order_id: uuid.UUID | None = None
    order: dict[str, Any] | None = None
    reason: str | None = None
    kind: str | None = None
    detail: str | None = None
    priced_by: str | None = None
    replayed: bool = False
    order_status: str | None = None
    refund: str | None = None

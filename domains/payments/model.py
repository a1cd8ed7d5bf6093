"""Payment intents: plain Python, no persistence or framework code."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from domains.shared import Conflict


class IntentStatus(enum.StrEnum):
    """Where a payment intent is: ``pending`` until the provider's answer is known."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    EXPIRED = "expired"
    REFUNDED = "refunded"


TRANSITIONS: dict[IntentStatus, frozenset[IntentStatus]] = {
    IntentStatus.PENDING: frozenset(
        {IntentStatus.AUTHORIZED, IntentStatus.DECLINED, IntentStatus.EXPIRED}
    ),
    IntentStatus.AUTHORIZED: frozenset({IntentStatus.REFUNDED}),
    IntentStatus.DECLINED: frozenset(),
    IntentStatus.EXPIRED: frozenset(),
    IntentStatus.REFUNDED: frozenset(),
}


class Outcome(enum.StrEnum):
    """What the provider said about an authorization."""

    AUTHORIZED = "authorized"
    DECLINED = "declined"


@dataclass(frozen=True)
class Authorization:
    """The provider's answer to an authorization (fresh or looked up)."""

    outcome: Outcome
    reference: str | None = None
    decline_code: str | None = None


@dataclass(frozen=True)
class RefundReceipt:
    """The provider's answer to a refund."""

    reference: str


@dataclass(frozen=True)
class PaymentIntent:
    """The intent to charge ``amount_minor`` for one order; one per order.

    ``idempotency_key`` is what the provider dedupes the authorization by; ``settle_by`` is the
    deadline after which an unanswered intent is given up.
    """

    id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int
    currency: str
    status: IntentStatus
    idempotency_key: str
    settle_by: datetime
    version: int = 1
    provider_reference: str | None = None
    decline_code: str | None = None

    @property
    def refund_key(self) -> str:
        """The provider idempotency key of this intent's (single, full) refund."""
        return f"refund:{self.id}"


def check_transition(intent: PaymentIntent, target: IntentStatus) -> None:
    """Raise ``Conflict(illegal_transition)`` unless ``intent`` may move to ``target``."""
    if target not in TRANSITIONS[intent.status]:
        raise Conflict(
            f"payment {intent.id} cannot go from {intent.status.value} to {target.value}",
            code="illegal_transition",
        )


def authorization_key(intent_id: uuid.UUID) -> str:
    """The provider idempotency key of an intent's authorization."""
    return f"authorize:{intent_id}"

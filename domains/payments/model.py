"""Payment intents: plain Python, no persistence or framework code.

An intent is an immutable value: every transition returns the next intent, which records the
domain event of that step (the unit of work publishes it when the new intent is saved).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

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
class IntentAuthorized:
    """Domain event: the provider authorized the payment."""

    intent: PaymentIntent


@dataclass(frozen=True)
class IntentDeclined:
    """Domain event: the provider declined, or the intent expired unanswered (``expired``)."""

    intent: PaymentIntent
    decline_code: str


@dataclass(frozen=True)
class IntentRefunded:
    """Domain event: the provider refunded the whole amount."""

    intent: PaymentIntent
    refund_id: uuid.UUID
    provider_reference: str


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
    events: list[object] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def open(
        cls, order_id: uuid.UUID, *, amount_minor: int, currency: str, settle_within: timedelta
    ) -> PaymentIntent:
        """A new ``pending`` intent, to be settled within ``settle_within``."""
        intent_id = uuid.uuid4()
        return cls(
            id=intent_id,
            order_id=order_id,
            amount_minor=amount_minor,
            currency=currency,
            status=IntentStatus.PENDING,
            idempotency_key=authorization_key(intent_id),
            settle_by=datetime.now(UTC) + settle_within,
        )

    @property
    def refund_key(self) -> str:
        """The provider idempotency key of this intent's (single, full) refund."""
        return f"refund:{self.id}"

    def authorized(self, reference: str | None) -> PaymentIntent:
        """The intent once the provider authorized it (``IntentAuthorized``)."""
        after = self._moved(IntentStatus.AUTHORIZED, provider_reference=reference)
        after.events.append(IntentAuthorized(after.snapshot()))
        return after

    def declined(self, decline_code: str | None) -> PaymentIntent:
        """The intent once the provider declined it (``IntentDeclined``)."""
        after = self._moved(IntentStatus.DECLINED, decline_code=decline_code)
        after.events.append(IntentDeclined(after.snapshot(), decline_code or "card_declined"))
        return after

    def expired(self, code: str = "expired") -> PaymentIntent:
        """The intent given up without the provider's answer (``IntentDeclined`` with ``code``:
        ``expired`` after ``settle_by``, ``abandoned`` when the provider never saw it)."""
        after = self._moved(IntentStatus.EXPIRED, decline_code=code)
        after.events.append(IntentDeclined(after.snapshot(), code))
        return after

    def refunded(self, refund_id: uuid.UUID, provider_reference: str) -> PaymentIntent:
        """The intent once the provider refunded it in full (``IntentRefunded``)."""
        after = self._moved(IntentStatus.REFUNDED)
        after.events.append(IntentRefunded(after.snapshot(), refund_id, provider_reference))
        return after

    def snapshot(self) -> PaymentIntent:
        """The intent without its recorded events (what a domain event keeps)."""
        return replace(self, events=[])

    def _moved(self, target: IntentStatus, **changes: str | None) -> PaymentIntent:
        check_transition(self, target)
        events = list(self.events)  # the next intent carries what this one recorded, unsaved
        return replace(self, status=target, version=self.version + 1, events=events, **changes)  # type: ignore[arg-type]


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

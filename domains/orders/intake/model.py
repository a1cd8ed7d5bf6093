"""A submission: one upstream order, accepted (an order) or rejected (a reason). Plain Python.

It records the reply its client gets; the unit of work publishes it with the state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domains.orders.intake.command import Channel, Outcome, SubmissionResult
from domains.orders.model import Order
from domains.orders.views import order_document


@dataclass(frozen=True)
class SubmissionAccepted:
    """Domain event: the submission became an order."""

    submission: Submission


@dataclass(frozen=True)
class SubmissionRejected:
    """Domain event: the submission was refused with a stable reason."""

    submission: Submission


@dataclass(frozen=True)
class SubmittedOrderCancelled:
    """Domain event: the order the submission became was cancelled (``reason``); ``refund``
    says who gives the money back: ``upstream`` (it took the payment; we refunded nothing)
    or ``none`` (nothing was paid)."""

    submission: Submission
    reason: str
    refund: str
    cancelled_at: datetime


REFUND_BY_UPSTREAM = "upstream"
NOTHING_TO_REFUND = "none"


def who_refunds(*, paid_upstream: bool) -> str:
    """Who gives the money of a cancelled submitted order back: a payment the upstream took is
    its own to refund (we never charged it); otherwise nothing was paid."""
    return REFUND_BY_UPSTREAM if paid_upstream else NOTHING_TO_REFUND


@dataclass(eq=False)
class Submission:
    """What became of ``external_reference`` of ``client_id``."""

    client_id: uuid.UUID
    external_reference: str
    channel: Channel
    request_hash: str
    outcome: Outcome
    decided_at: datetime
    order_id: uuid.UUID | None = None
    order: dict[str, Any] | None = None
    priced_by: str | None = None
    reason: str | None = None
    kind: str | None = None
    detail: str | None = None
    events: list[object] = field(default_factory=list)

    @classmethod
    def accept(
        cls,
        client_id: uuid.UUID,
        external_reference: str,
        channel: Channel,
        request_hash: str,
        order: Order,
        priced_by: str,
    ) -> Submission:
        """The submission became ``order``."""
        submission = cls(
            client_id,
            external_reference,
            channel,
            request_hash,
            Outcome.ACCEPTED,
            datetime.now(UTC),
            order_id=order.id,
            order=order_document(order),
            priced_by=priced_by,
        )
        submission.events.append(SubmissionAccepted(submission))
        return submission

    @classmethod
    def reject(
        cls,
        client_id: uuid.UUID,
        external_reference: str,
        channel: Channel,
        request_hash: str,
        reason: tuple[str, str, str],
    ) -> Submission:
        """The submission was refused; ``reason`` is (code, error kind, detail)."""
        code, kind, detail = reason
        submission = cls(
            client_id,
            external_reference,
            channel,
            request_hash,
            Outcome.REJECTED,
            datetime.now(UTC),
            reason=code,
            kind=kind,
            detail=detail[:500],
        )
        submission.events.append(SubmissionRejected(submission))
        return submission

    def order_cancelled(self, reason: str, *, paid_upstream: bool) -> str:
        """Tell the client that the order it submitted was cancelled; returns who refunds."""
        refund = who_refunds(paid_upstream=paid_upstream)
        self.events.append(SubmittedOrderCancelled(self, reason, refund, datetime.now(UTC)))
        return refund

    def result(self, *, replayed: bool = False) -> SubmissionResult:
        """The answer the caller gets (``replayed`` for a repeated submission)."""
        return SubmissionResult(
            client_id=self.client_id,
            external_reference=self.external_reference,
            outcome=self.outcome,
            channel=self.channel,
            order_id=self.order_id,
            order=self.order,
            reason=self.reason,
            kind=self.kind,
            detail=self.detail,
            priced_by=self.priced_by,
            replayed=replayed,
        )

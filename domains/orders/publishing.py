"""Domain events of the order → the integration events other teams subscribe to."""

from __future__ import annotations

from domains.orders import events as ev
from domains.orders.intake.model import (
    Submission,
    SubmissionAccepted,
    SubmissionRejected,
    SubmittedOrderCancelled,
)
from events import IntegrationEvent
from events.schemas import orders as published

# A submission is decided once: its reply is version 1 of that (client, reference); the
# cancellation of the order it became, version 2.
SUBMISSION_VERSION = 1
CANCELLED_VERSION = 2


def to_integration_event(event: object) -> tuple[IntegrationEvent, int]:
    """The published event for an order's domain event, and the order version it made (a
    submission's reply: its one version)."""
    if isinstance(event, SubmissionAccepted):
        return _accepted(event.submission), SUBMISSION_VERSION
    if isinstance(event, SubmissionRejected):
        return _rejected(event.submission), SUBMISSION_VERSION
    if isinstance(event, SubmittedOrderCancelled):
        return _cancelled(event), CANCELLED_VERSION
    if not isinstance(event, ev.OrderEvent):
        raise TypeError(f"no integration event for {type(event).__name__}")
    return _published(event), event.version


def _published(event: ev.OrderEvent) -> IntegrationEvent:  # noqa: PLR0911  (one case per type)
    order_id = event.order_id
    match event:
        case ev.OrderPlaced():
            return published.OrderPlaced(
                order_id=order_id,
                customer_id=event.customer_id,
                currency=event.currency,
                lines=tuple(published.OrderLine(**vars(line)) for line in event.lines),
                total_minor=event.total_minor,
                placed_at=event.placed_at,
            )
        case ev.OrderPaymentPending():
            return published.OrderPaymentPending(order_id=order_id)
        case ev.OrderConfirmed():
            return published.OrderConfirmed(
                order_id=order_id,
                payment_reference=event.payment_reference,
                total_minor=event.total_minor,
            )
        case ev.OrderCancelled():
            return published.OrderCancelled(
                order_id=order_id,
                reason=event.reason,
                was_paid=event.was_paid,
                paid_upstream=event.paid_upstream,
            )
        case ev.OrderCancellationRequested():
            return published.OrderCancellationRequested(order_id=order_id, reason=event.reason)
        case ev.OrderCancellationRejected():
            return published.OrderCancellationRejected(order_id=order_id, reason=event.reason)
        case ev.OrderRefunded():
            return published.OrderRefunded(
                order_id=order_id, amount_minor=event.amount_minor, reason=event.reason
            )
        case ev.OrderFulfilling():
            return published.OrderFulfilling(order_id=order_id, shipment_id=event.shipment_id)
        case ev.OrderShipped():
            return published.OrderShipped(order_id=order_id, shipment_id=event.shipment_id)
        case ev.OrderDelivered():
            return published.OrderDelivered(order_id=order_id, shipment_id=event.shipment_id)
    raise TypeError(f"no integration event for {type(event).__name__}")


def _accepted(submission: Submission) -> published.OrderAccepted:
    order = submission.order or {}
    return published.OrderAccepted(
        client_id=submission.client_id,
        external_reference=submission.external_reference,
        order_id=submission.order_id,
        status=order["status"],
        total_minor=order["total_minor"],
        priced_by=submission.priced_by or "catalog",
        channel=submission.channel.value,
        accepted_at=submission.decided_at,
    )


def _rejected(submission: Submission) -> published.OrderRejected:
    return published.OrderRejected(
        client_id=submission.client_id,
        external_reference=submission.external_reference,
        reason=submission.reason or "rejected",
        detail=submission.detail or "",
        channel=submission.channel.value,
        rejected_at=submission.decided_at,
    )


def _cancelled(event: SubmittedOrderCancelled) -> published.SubmittedOrderCancelled:
    submission = event.submission
    assert submission.order_id is not None  # only an accepted submission has an order
    return published.SubmittedOrderCancelled(
        client_id=submission.client_id,
        external_reference=submission.external_reference,
        order_id=submission.order_id,
        reason=event.reason,
        refund=event.refund,
        cancelled_at=event.cancelled_at,
    )

"""Domain events of payment intents → the integration events other teams subscribe to."""

from __future__ import annotations

from domains.payments import model
from events import IntegrationEvent
from events.schemas import payments as published


def to_integration_event(event: object) -> tuple[IntegrationEvent, int]:
    """The published event for a payment domain event, and the intent version it made."""
    if isinstance(event, model.IntentAuthorized):
        i = event.intent
        authorized = published.PaymentAuthorized(
            payment_id=i.id,
            order_id=i.order_id,
            amount_minor=i.amount_minor,
            currency=i.currency,
            provider_reference=i.provider_reference or "",
        )
        return authorized, i.version
    if isinstance(event, model.IntentDeclined):
        i = event.intent
        declined = published.PaymentDeclined(
            payment_id=i.id,
            order_id=i.order_id,
            amount_minor=i.amount_minor,
            currency=i.currency,
            decline_code=event.decline_code,
        )
        return declined, i.version
    if isinstance(event, model.IntentRefunded):
        i = event.intent
        refunded = published.PaymentRefunded(
            payment_id=i.id,
            order_id=i.order_id,
            refund_id=event.refund_id,
            amount_minor=i.amount_minor,
            currency=i.currency,
            provider_reference=event.provider_reference,
        )
        return refunded, i.version
    raise TypeError(f"no integration event for {type(event).__name__}")

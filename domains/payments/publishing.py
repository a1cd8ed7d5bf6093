"""Domain events of payment intents → the integration events other teams subscribe to."""

from __future__ import annotations

from typing import Any

from domains.payments import model
from events import IntegrationEvent
from events.schemas import payments as published


def to_integration_event(event: object) -> tuple[IntegrationEvent, int]:
    """The published event for a payment domain event, and the intent version it made."""
    published_event: IntegrationEvent
    match event:
        case model.IntentAuthorized(intent=i):
            reference = i.provider_reference or ""
            published_event = published.PaymentAuthorized(
                **_payment(i), provider_reference=reference
            )
        case model.IntentDeclined(intent=i, decline_code=code):
            published_event = published.PaymentDeclined(**_payment(i), decline_code=code)
        case model.IntentRefunded(intent=i, refund_id=refund_id, provider_reference=reference):
            published_event = published.PaymentRefunded(
                **_payment(i), refund_id=refund_id, provider_reference=reference
            )
        case _:
            raise TypeError(f"no integration event for {type(event).__name__}")
    return published_event, i.version


def _payment(intent: model.PaymentIntent) -> dict[str, Any]:
    """What every payment event says about its payment."""
    return {
        "payment_id": intent.id,
        "order_id": intent.order_id,
        "amount_minor": intent.amount_minor,
        "currency": intent.currency,
    }

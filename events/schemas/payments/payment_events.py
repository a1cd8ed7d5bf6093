"""Payment outcomes. Keyed by ``payment_id`` (the intent); ``order_id`` says which order.

No card data ever: the provider tokenizes, these events carry its references only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from pydantic import ConfigDict, Field, JsonValue

from events.registry import IntegrationEvent, registry

_E = TypeVar("_E", bound=IntegrationEvent)
TOPIC = "payments.payment.v1"
_IDS = {
    "payment_id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
}


def _examples(**fields: JsonValue) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{**_IDS, **fields}]})


def _payment_event(name: str) -> Callable[[type[_E]], type[_E]]:
    return registry.register(
        event_type=f"payments.{name}",
        version=1,
        topic=TOPIC,
        key="payment_id",
        aggregate_type="payment",
    )


@_payment_event("PaymentAuthorized")
class PaymentAuthorized(IntegrationEvent):
    """The provider authorized the payment of an order."""

    model_config = _examples(amount_minor=2500, currency="EUR", provider_reference="auth_3f2a")

    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    provider_reference: str = Field(max_length=128)


@_payment_event("PaymentDeclined")
class PaymentDeclined(IntegrationEvent):
    """The provider declined the payment (or it expired without an answer)."""

    model_config = _examples(amount_minor=2500, currency="EUR", decline_code="card_declined")

    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    decline_code: str = Field(max_length=64, description="e.g. card_declined, expired")


@_payment_event("PaymentRefunded")
class PaymentRefunded(IntegrationEvent):
    """Money went back to the customer through the provider."""

    model_config = _examples(
        refund_id="9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        amount_minor=2500,
        currency="EUR",
        provider_reference="ref_77aa",
    )

    payment_id: uuid.UUID
    order_id: uuid.UUID
    refund_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    provider_reference: str = Field(max_length=128)

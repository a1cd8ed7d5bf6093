"""Events of the ``payments`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import ConfigDict, Field

from orderflow_events.base import Event, EventSpec


class PaymentAuthorized(Event):
    """The provider authorized the payment of an order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount_minor": 2500,
                    "currency": "EUR",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "payment_id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
                    "provider_reference": "auth_3f2a",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="payments.PaymentAuthorized",
        version=1,
        topic="payments.payment.v1",
        key="payment_id",
        aggregate_type="payment",
    )
    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern="^[A-Z]{3}$")
    provider_reference: str = Field(max_length=128)


class PaymentDeclined(Event):
    """The provider declined the payment (or it expired without an answer)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount_minor": 2500,
                    "currency": "EUR",
                    "decline_code": "card_declined",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "payment_id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="payments.PaymentDeclined",
        version=1,
        topic="payments.payment.v1",
        key="payment_id",
        aggregate_type="payment",
    )
    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern="^[A-Z]{3}$")
    decline_code: str = Field(max_length=64, description="e.g. card_declined, expired")


class PaymentRefunded(Event):
    """Money went back to the customer through the provider."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount_minor": 2500,
                    "currency": "EUR",
                    "order_id": "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11",
                    "payment_id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
                    "provider_reference": "ref_77aa",
                    "refund_id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="payments.PaymentRefunded",
        version=1,
        topic="payments.payment.v1",
        key="payment_id",
        aggregate_type="payment",
    )
    payment_id: uuid.UUID
    order_id: uuid.UUID
    refund_id: uuid.UUID
    amount_minor: int = Field(ge=0)
    currency: str = Field(pattern="^[A-Z]{3}$")
    provider_reference: str = Field(max_length=128)

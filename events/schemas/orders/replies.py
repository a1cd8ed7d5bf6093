"""Replies to upstream services: what became of each order they submitted.

On ``intake.replies.v1``, keyed by ``client_id`` so each service reads its own replies in order.
Every submission (HTTP or Kafka) gets exactly one reply, whatever the number of retries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pydantic import ConfigDict, Field, JsonValue

from events.registry import IntegrationEvent, registry

_E = TypeVar("_E", bound=IntegrationEvent)
TOPIC = "intake.replies.v1"
_CLIENT = "5f0c8a9e-2b7d-4c1e-9a3f-6d8e7b2c1a40"
_ORDER = "0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11"


def _examples(**fields: JsonValue) -> ConfigDict:
    example = {"client_id": _CLIENT, "external_reference": "pos-berlin-000123", **fields}
    return ConfigDict(json_schema_extra={"examples": [example]})


def _reply(name: str) -> Callable[[type[_E]], type[_E]]:
    return registry.register(
        event_type=f"orders.{name}",
        version=1,
        topic=TOPIC,
        key="client_id",
        aggregate_type="submission",
    )


@_reply("OrderAccepted")
class OrderAccepted(IntegrationEvent):
    """The submission became order ``order_id``.

    ``status`` is ``confirmed`` when the upstream had taken the payment, else ``pending``.
    ``priced_by`` is ``catalog``, or ``caller`` when the client sent its own prices.
    """

    model_config = _examples(
        order_id=_ORDER,
        status="confirmed",
        total_minor=2500,
        priced_by="catalog",
        channel="http",
        accepted_at="2026-11-29T12:00:00Z",
    )

    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    order_id: uuid.UUID
    status: str = Field(description="pending or confirmed")
    total_minor: int = Field(ge=0)
    priced_by: str = Field(description="catalog or caller")
    channel: str = Field(description="http or kafka: the door the submission came through")
    accepted_at: datetime


@_reply("OrderRejected")
class OrderRejected(IntegrationEvent):
    """The submission did not become an order; ``reason`` is a stable code.

    Reasons: ``unknown_sku``, ``sku_inactive``, ``out_of_stock``, ``currency_mismatch``,
    ``unknown_currency``, ``bad_quantity``, ``price_not_allowed``, ``invalid_payload``,
    ``unauthorized_source``. New reasons may be added; treat an unknown one as a rejection.
    """

    model_config = _examples(
        reason="out_of_stock",
        detail="MUG-1: 3 requested, 1 available",
        channel="kafka",
        rejected_at="2026-11-29T12:00:00Z",
    )

    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    reason: str = Field(max_length=64, description="A stable, machine-readable code")
    detail: str = Field(max_length=500, description="What was wrong, for people")
    channel: str = Field(description="http or kafka: the door the submission came through")
    rejected_at: datetime


@_reply("SubmittedOrderCancelled")
class SubmittedOrderCancelled(IntegrationEvent):
    """The order a submission became (``OrderAccepted``) was cancelled afterwards.

    ``refund`` says who gives the customer's money back: ``upstream`` when the client took
    the payment itself (``payment.method`` ``external``): orderflow charged nothing and
    refunds nothing, the refund is the client's to make; ``none`` when nothing was paid.
    New values may be added; treat an unknown one as "ask us".
    """

    model_config = _examples(
        order_id=_ORDER,
        reason="customer_request",
        refund="upstream",
        cancelled_at="2026-11-29T13:00:00Z",
    )

    client_id: uuid.UUID
    external_reference: str = Field(max_length=100)
    order_id: uuid.UUID
    reason: str = Field(max_length=64, description="Why the order was cancelled")
    refund: str = Field(description="upstream (the client refunds) or none (nothing was paid)")
    cancelled_at: datetime

"""Orders that upstream services submit over Kafka: ``OrderSubmitted`` on ``intake.orders.v1``.

Orderflow *receives* these (the AsyncAPI document lists a ``receive`` operation). A service
writes one CloudEvent per order in binary content mode: ``ce_id`` a UUID (the idempotency key),
``ce_source`` its client id, ``ce_type`` ``orderflow.orders.OrderSubmitted.v1``, ``ce_time``,
``aggregate_version`` ``1``, the record key its ``external_reference``. The reply comes on
``intake.replies.v1`` (``OrderAccepted`` or ``OrderRejected``).
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from events.registry import IntegrationEvent, registry

TOPIC = "intake.orders.v1"
_CUSTOMER = "6f1c1f55-6b0e-4a53-9d59-1c4f6f0b1e29"
MAX_PROBLEM = 500


class SubmittedLine(BaseModel):
    """One line; ``unit_price_minor`` only for clients with the ``orders:price`` scope."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    quantity: int = Field(gt=0, le=10_000)
    unit_price_minor: int | None = Field(default=None, ge=0, le=10**12)


class ExternalPayment(BaseModel):
    """A payment the service already took: the order is confirmed at once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str = Field(pattern="^external$", description="Always external")
    reference: str = Field(min_length=1, max_length=128)


@registry.register_received(
    event_type="orders.OrderSubmitted",
    version=1,
    topic=TOPIC,
    key="external_reference",
    aggregate_type="submission",
)
class OrderSubmitted(IntegrationEvent):
    """An upstream service submits an order it knows as ``external_reference``.

    Lines are priced from the catalog; SKUs must exist, be active and be priced in
    ``currency``; stock is reserved. With ``payment`` the order is confirmed, else pending.
    A record that breaks this schema still reaches the intake (``problem`` says why): a known
    source gets an ``OrderRejected`` (``invalid_payload``) and the record a dead letter.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "external_reference": "pos-berlin-000123",
                    "customer_id": _CUSTOMER,
                    "currency": "EUR",
                    "lines": [{"sku": "MUG-BLUE-350", "quantity": 2}],
                    "payment": {"method": "external", "reference": "pos-pay-981"},
                }
            ]
        }
    )

    external_reference: str = Field(
        min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:/-]+$", description="Your order id"
    )
    customer_id: uuid.UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    lines: tuple[SubmittedLine, ...] = Field(min_length=1, max_length=100)
    payment: ExternalPayment | None = None

    _problem: str | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_invalid(
        cls, data: Any, handler: ModelWrapValidatorHandler[OrderSubmitted]
    ) -> OrderSubmitted:
        """A record that breaks the schema is kept, unvalidated, with its ``problem``: the
        intake answers its source before dead-lettering it (JSON that does not parse at all
        is still refused by the decoder)."""
        try:
            return handler(data)
        except ValidationError as error:
            fields = data if isinstance(data, dict) else {}
            kept = cls.model_construct(**{k: v for k, v in fields.items() if isinstance(k, str)})
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "payload"
            kept._problem = f"{where}: {first['msg']}"[:MAX_PROBLEM]
            return kept

    @property
    def problem(self) -> str | None:
        """Why the record breaks the schema; None for a valid one."""
        return self._problem

    @property
    def readable_reference(self) -> str | None:
        """The external reference when it is usable even in an invalid record."""
        value = self.__dict__.get("external_reference")
        if isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable():
            return value
        return None

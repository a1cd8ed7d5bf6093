"""Bodies of the intake routes: what an upstream service sends and what it gets back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domains.identity.api import ServiceClient
from domains.orders.http.models import Sku
from domains.orders.intake.command import Channel, SubmissionResult, SubmitOrder, SubmittedLine
from domains.orders.lines import MAX_LINES
from domains.shared.fields import Currency, StrictInt

# The composition root's dependency that authenticates a service client (401 / 403 otherwise).
ClientDependency = Callable[..., Awaitable[ServiceClient]]

Reference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:/-]+$",
        description="Your own id of this order; unique per client (a retry reuses it)",
    ),
]


class SubmittedLineIn(BaseModel):
    """One line; ``unit_price_minor`` only with the ``orders:price`` scope (else the catalog's)."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: StrictInt = Field(gt=0, le=10_000)
    unit_price_minor: StrictInt | None = Field(default=None, ge=0, le=10**12)


class ExternalPaymentIn(BaseModel):
    """A payment the upstream service already took: the order is confirmed at once."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["external"]
    reference: str = Field(min_length=1, max_length=128, description="Your payment's id")


class SubmitOrderIn(BaseModel):
    """Body of ``POST /v1/orders`` (service clients with ``orders:write``)."""

    model_config = ConfigDict(extra="forbid")

    external_reference: Reference
    customer_id: uuid.UUID
    currency: Currency
    lines: list[SubmittedLineIn] = Field(min_length=1, max_length=MAX_LINES)
    payment: ExternalPaymentIn | None = None

    def command(self, client: ServiceClient, channel: Channel) -> SubmitOrder:
        """The place-order command of this body."""
        return SubmitOrder(
            client=client,
            external_reference=self.external_reference,
            customer_id=self.customer_id,
            currency=self.currency,
            lines=tuple(SubmittedLine(**line.model_dump()) for line in self.lines),
            channel=channel,
            payment_reference=None if self.payment is None else self.payment.reference,
        )


class SubmissionOut(BaseModel):
    """What became of a submission: the order, or the reason it was rejected."""

    external_reference: str
    outcome: Literal["accepted", "rejected"]
    channel: Literal["http", "kafka"]
    order_id: uuid.UUID | None = None
    order: dict[str, Any] | None = Field(default=None, description="The order when accepted")
    priced_by: str | None = Field(default=None, description="catalog or caller")
    reason: str | None = Field(default=None, description="A stable code when rejected")
    detail: str | None = None
    order_status: str | None = Field(
        default=None,
        description="GET only: the order's status now (e.g. confirmed, shipped, cancelled); "
        "`order` is the order as it was accepted",
    )
    refund: Literal["upstream", "none"] | None = Field(
        default=None,
        description="GET only, once the order was cancelled: who refunds, as its "
        "SubmittedOrderCancelled reply on intake.replies.v1 says: upstream (you took the "
        "payment: the refund is yours to make) or none (nothing was paid)",
    )

    @classmethod
    def of(cls, result: SubmissionResult) -> SubmissionOut:
        """The view of ``result``."""
        return cls(
            external_reference=result.external_reference,
            outcome=result.outcome.value,
            channel=result.channel.value,
            order_id=result.order_id,
            order=result.order,
            priced_by=result.priced_by,
            reason=result.reason,
            detail=result.detail,
            order_status=result.order_status,
            refund=result.refund,
        )

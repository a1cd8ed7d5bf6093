"""Payments taken upstream: an upstream service charged the customer itself and tells us so.

Our provider never saw the money, so it can never refund it: cancelling such an order leaves
the refund to the upstream (the orders domain tells it on its reply topic).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.payments.tables import external_payments


@dataclass(frozen=True)
class ExternalPayment:
    """The upstream's ``reference`` of what it charged for ``order_id``."""

    order_id: uuid.UUID
    reference: str
    amount_minor: int
    currency: str


async def record_external_payment(session: AsyncSession, payment: ExternalPayment) -> None:
    """Record ``payment`` in the caller's transaction (once per order; a repeat is a no-op)."""
    statement = insert(external_payments).values(
        order_id=payment.order_id,
        reference=payment.reference,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
    )
    await session.execute(statement.on_conflict_do_nothing())


async def find_external_payment(
    session: AsyncSession, order_id: uuid.UUID
) -> ExternalPayment | None:
    """The payment taken upstream for ``order_id``; None when it was not paid upstream."""
    row = (
        await session.execute(
            select(external_payments).where(external_payments.c.order_id == order_id)
        )
    ).first()
    if row is None:
        return None
    return ExternalPayment(row.order_id, row.reference, row.amount_minor, row.currency)

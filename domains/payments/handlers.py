"""What the payments domain does, each in the caller's transaction (``session``).

Provider calls never happen inside a transaction: callers read the intent, call the provider,
then record the answer in a new transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domains.payments.model import (
    Authorization,
    IntentStatus,
    Outcome,
    PaymentIntent,
    RefundReceipt,
)
from domains.payments.unit_of_work import PaymentsUnitOfWork
from domains.shared import Conflict, NotFound

DEFAULT_SETTLE_WITHIN = timedelta(minutes=15)


async def create_intent(
    session: AsyncSession,
    order_id: uuid.UUID,
    *,
    amount_minor: int,
    currency: str,
    settle_within: timedelta = DEFAULT_SETTLE_WITHIN,
) -> PaymentIntent:
    """A new ``pending`` intent for ``order_id`` (one per order)."""
    intent = PaymentIntent.open(
        order_id, amount_minor=amount_minor, currency=currency, settle_within=settle_within
    )
    async with PaymentsUnitOfWork.joining(session) as uow:
        await uow.intents.add(intent)
        await uow.commit()
    return intent


async def get_intent(session: AsyncSession, order_id: uuid.UUID) -> PaymentIntent:
    """The intent of ``order_id``, or ``NotFound(code="payment_not_found")``."""
    async with PaymentsUnitOfWork.joining(session) as uow:
        intent = await uow.intents.of_order(order_id)
    if intent is None:
        raise NotFound(f"order {order_id} has no payment", code="payment_not_found")
    return intent


async def unsettled_intents(
    session: AsyncSession, *, created_before: datetime, limit: int
) -> list[PaymentIntent]:
    """Pending intents older than ``created_before``, oldest first (for reconciliation)."""
    async with PaymentsUnitOfWork.joining(session) as uow:
        return await uow.intents.unsettled(created_before=created_before, limit=limit)


async def record_authorization(
    session: AsyncSession, intent: PaymentIntent, answer: Authorization
) -> PaymentIntent:
    """Store the provider's answer and emit ``PaymentAuthorized`` or ``PaymentDeclined``."""
    if answer.outcome is Outcome.AUTHORIZED:
        after = intent.authorized(answer.reference)
    else:
        after = intent.declined(answer.decline_code)
    return await _save(session, intent, after)


async def expire_intent(
    session: AsyncSession, intent: PaymentIntent, code: str = "expired"
) -> PaymentIntent:
    """Give up on an intent without the provider's answer; emits ``PaymentDeclined(code)``."""
    return await _save(session, intent, intent.expired(code))


async def record_refund(
    session: AsyncSession, intent: PaymentIntent, receipt: RefundReceipt, *, reason: str
) -> PaymentIntent:
    """Store a provider refund and emit ``PaymentRefunded``."""
    refund_id = uuid.uuid4()
    after = intent.refunded(refund_id, receipt.reference)
    async with PaymentsUnitOfWork.joining(session) as uow:
        await uow.intents.save(intent, after)
        await uow.intents.add_refund(
            refund_id=refund_id, intent=intent, provider_reference=receipt.reference, reason=reason
        )
        await uow.commit()
    return after


def ensure_refundable(intent: PaymentIntent) -> None:
    """Raise ``Conflict(not_refundable)`` unless the intent was authorized and not refunded."""
    if intent.status is not IntentStatus.AUTHORIZED or intent.provider_reference is None:
        raise Conflict(
            f"payment {intent.id} is {intent.status.value}; only authorized payments are refunded",
            code="not_refundable",
        )


async def _save(
    session: AsyncSession, before: PaymentIntent, after: PaymentIntent
) -> PaymentIntent:
    async with PaymentsUnitOfWork.joining(session) as uow:
        await uow.intents.save(before, after)
        await uow.commit()
    return after

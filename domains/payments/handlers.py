"""What the payments domain does, each in the caller's transaction (``session``).

Provider calls never happen inside a transaction: callers read the intent, call the provider,
then record the answer in a new transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import outbox
from domains.payments import repository
from domains.payments.model import (
    Authorization,
    IntentStatus,
    Outcome,
    PaymentIntent,
    RefundReceipt,
    authorization_key,
    check_transition,
)
from domains.shared import Conflict, NotFound
from events.schemas.payments import PaymentAuthorized, PaymentDeclined, PaymentRefunded

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
    intent_id = uuid.uuid4()
    intent = PaymentIntent(
        id=intent_id,
        order_id=order_id,
        amount_minor=amount_minor,
        currency=currency,
        status=IntentStatus.PENDING,
        idempotency_key=authorization_key(intent_id),
        settle_by=datetime.now(UTC) + settle_within,
    )
    await repository.add_intent(session, intent)
    return intent


async def get_intent(session: AsyncSession, order_id: uuid.UUID) -> PaymentIntent:
    """The intent of ``order_id``, or ``NotFound(code="payment_not_found")``."""
    intent = await repository.intent_of_order(session, order_id)
    if intent is None:
        raise NotFound(f"order {order_id} has no payment", code="payment_not_found")
    return intent


async def record_authorization(
    session: AsyncSession, intent: PaymentIntent, answer: Authorization
) -> PaymentIntent:
    """Store the provider's answer and emit ``PaymentAuthorized`` or ``PaymentDeclined``."""
    if answer.outcome is Outcome.AUTHORIZED:
        after = _move(intent, IntentStatus.AUTHORIZED, provider_reference=answer.reference)
        event: PaymentAuthorized | PaymentDeclined = PaymentAuthorized(
            payment_id=intent.id,
            order_id=intent.order_id,
            amount_minor=intent.amount_minor,
            currency=intent.currency,
            provider_reference=answer.reference or "",
        )
    else:
        after = _move(intent, IntentStatus.DECLINED, decline_code=answer.decline_code)
        event = _declined(intent, answer.decline_code or "card_declined")
    await repository.save_intent(session, intent, after)
    await outbox.append(session, event, aggregate_version=after.version)
    return after


async def expire_intent(session: AsyncSession, intent: PaymentIntent) -> PaymentIntent:
    """Give up on an intent the provider never answered; emits ``PaymentDeclined(expired)``."""
    after = _move(intent, IntentStatus.EXPIRED, decline_code="expired")
    await repository.save_intent(session, intent, after)
    await outbox.append(session, _declined(intent, "expired"), aggregate_version=after.version)
    return after


async def record_refund(
    session: AsyncSession, intent: PaymentIntent, receipt: RefundReceipt, *, reason: str
) -> PaymentIntent:
    """Store a provider refund and emit ``PaymentRefunded``."""
    after = _move(intent, IntentStatus.REFUNDED)
    refund_id = uuid.uuid4()
    await repository.save_intent(session, intent, after)
    await repository.add_refund(
        session,
        refund_id=refund_id,
        intent=intent,
        provider_reference=receipt.reference,
        reason=reason,
    )
    event = PaymentRefunded(
        payment_id=intent.id,
        order_id=intent.order_id,
        refund_id=refund_id,
        amount_minor=intent.amount_minor,
        currency=intent.currency,
        provider_reference=receipt.reference,
    )
    await outbox.append(session, event, aggregate_version=after.version)
    return after


def ensure_refundable(intent: PaymentIntent) -> None:
    """Raise ``Conflict(not_refundable)`` unless the intent was authorized and not refunded."""
    if intent.status is not IntentStatus.AUTHORIZED or intent.provider_reference is None:
        raise Conflict(
            f"payment {intent.id} is {intent.status.value}; only authorized payments are refunded",
            code="not_refundable",
        )


def _move(intent: PaymentIntent, target: IntentStatus, **changes: str | None) -> PaymentIntent:
    check_transition(intent, target)
    return replace(intent, status=target, version=intent.version + 1, **changes)  # type: ignore[arg-type]


def _declined(intent: PaymentIntent, code: str) -> PaymentDeclined:
    return PaymentDeclined(
        payment_id=intent.id,
        order_id=intent.order_id,
        amount_minor=intent.amount_minor,
        currency=intent.currency,
        decline_code=code,
    )

"""Load and store payment intents, attempts and refunds (version-checked updates)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.payments.model import IntentStatus, PaymentIntent
from domains.payments.tables import attempts, intents, refunds
from domains.shared import Conflict


def _intent(row: Row[tuple[object, ...]]) -> PaymentIntent:
    m = row._mapping
    return PaymentIntent(
        id=m["id"],
        order_id=m["order_id"],
        amount_minor=m["amount_minor"],
        currency=m["currency"],
        status=IntentStatus(m["status"]),
        idempotency_key=m["idempotency_key"],
        settle_by=m["settle_by"],
        version=m["version"],
        provider_reference=m["provider_reference"],
        decline_code=m["decline_code"],
    )


async def add_intent(session: AsyncSession, intent: PaymentIntent) -> None:
    """Insert a new intent."""
    values = {k: v for k, v in vars(intent).items() if k != "status"}
    await session.execute(insert(intents).values(status=intent.status.value, **values))


async def intent_of_order(session: AsyncSession, order_id: uuid.UUID) -> PaymentIntent | None:
    """The intent of ``order_id``, or None."""
    row = (await session.execute(select(intents).where(intents.c.order_id == order_id))).first()
    return None if row is None else _intent(row)


async def unsettled_intents(
    session: AsyncSession, *, created_before: datetime, limit: int
) -> list[PaymentIntent]:
    """Pending intents older than ``created_before``, oldest first."""
    rows = await session.execute(
        select(intents)
        .where(intents.c.status == IntentStatus.PENDING.value)
        .where(intents.c.created_at < created_before)
        .order_by(intents.c.created_at)
        .limit(limit)
    )
    return [_intent(row) for row in rows]


async def save_intent(session: AsyncSession, before: PaymentIntent, after: PaymentIntent) -> None:
    """Write ``after`` if the stored intent is still at ``before.version``."""
    result = await session.execute(
        update(intents)
        .where(intents.c.id == before.id, intents.c.version == before.version)
        .values(
            status=after.status.value,
            version=after.version,
            provider_reference=after.provider_reference,
            decline_code=after.decline_code,
            updated_at=func.now(),
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"payment {before.id} was changed concurrently; reload and retry",
            code="concurrent_update",
        )


async def add_attempt(
    session: AsyncSession,
    intent_id: uuid.UUID,
    *,
    operation: str,
    outcome: str,
    duration_ms: int,
    error: str | None = None,
) -> None:
    """Record one conversation with the provider (for support and audits)."""
    await session.execute(
        insert(attempts).values(
            intent_id=intent_id,
            operation=operation,
            outcome=outcome,
            duration_ms=duration_ms,
            error=error,
        )
    )


async def add_refund(
    session: AsyncSession,
    *,
    refund_id: uuid.UUID,
    intent: PaymentIntent,
    provider_reference: str,
    reason: str,
) -> None:
    """Record the (full) refund of ``intent``."""
    await session.execute(
        insert(refunds).values(
            id=refund_id,
            intent_id=intent.id,
            amount_minor=intent.amount_minor,
            idempotency_key=intent.refund_key,
            provider_reference=provider_reference,
            reason=reason,
        )
    )

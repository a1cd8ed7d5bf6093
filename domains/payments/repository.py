"""Load and store payment intents and refunds (version-checked updates)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domains.payments.model import IntentStatus, PaymentIntent
from domains.payments.tables import intents, refunds
from domains.shared import Aggregate, update_versioned

_FIELDS = ("id", "order_id", "amount_minor", "currency", "idempotency_key", "settle_by",
           "version", "provider_reference", "decline_code")  # fmt: skip


class IntentRepository:
    """Payment intents in PostgreSQL; ``track`` hands every saved intent to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track

    async def add(self, intent: PaymentIntent) -> None:
        """Insert a new intent."""
        values = {f: getattr(intent, f) for f in _FIELDS}
        await self._session.execute(insert(intents).values(status=intent.status.value, **values))
        self._track(intent)

    async def of_order(self, order_id: uuid.UUID) -> PaymentIntent | None:
        """The intent of ``order_id``, or None."""
        query = select(intents).where(intents.c.order_id == order_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _intent(row)

    async def unsettled(self, *, created_before: datetime, limit: int) -> list[PaymentIntent]:
        """Pending intents older than ``created_before``, oldest first."""
        rows = await self._session.execute(
            select(intents)
            .where(intents.c.status == IntentStatus.PENDING.value)
            .where(intents.c.created_at < created_before)
            .order_by(intents.c.created_at)
            .limit(limit)
        )
        return [_intent(row) for row in rows]

    async def save(self, before: PaymentIntent, after: PaymentIntent) -> None:
        """Write ``after`` if the stored intent is still at ``before.version``."""
        await update_versioned(
            self._session,
            intents,
            before.id,
            seen=before.version,
            values={
                "status": after.status.value,
                "version": after.version,
                "provider_reference": after.provider_reference,
                "decline_code": after.decline_code,
                "updated_at": func.now(),
            },
            noun="payment",
        )
        self._track(after)

    async def add_refund(
        self, *, refund_id: uuid.UUID, intent: PaymentIntent, provider_reference: str, reason: str
    ) -> None:
        """Record the (full) refund of ``intent``."""
        await self._session.execute(
            insert(refunds).values(
                id=refund_id,
                intent_id=intent.id,
                amount_minor=intent.amount_minor,
                idempotency_key=intent.refund_key,
                provider_reference=provider_reference,
                reason=reason,
            )
        )


def _intent(row: Row[Any]) -> PaymentIntent:
    m = row._mapping
    return PaymentIntent(status=IntentStatus(m["status"]), **{f: m[f] for f in _FIELDS})

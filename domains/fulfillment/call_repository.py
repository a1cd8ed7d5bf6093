"""Load and store carrier calls; ``done`` and ``failed`` marks only move a call still to do."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.calls import RANK, CallStatus, CarrierCall, CarrierOperation
from domains.fulfillment.tables import carrier_calls
from events import current_correlation_id

_TO_DO = (CallStatus.PENDING.value, CallStatus.FAILED.value)


class CarrierCallRepository:
    """Carrier calls in PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, call: CarrierCall) -> bool:
        """Record ``call`` unless its key was recorded before; True when recorded now."""
        inserted = await self._session.scalar(
            insert(carrier_calls)
            .values(
                idempotency_key=call.key,
                shipment_id=call.shipment_id,
                order_id=call.order_id,
                operation=call.operation.value,
                correlation_id=current_correlation_id(),
            )
            .on_conflict_do_nothing()
            .returning(carrier_calls.c.idempotency_key)
        )
        return inserted is not None

    async def of_shipment(self, shipment_id: uuid.UUID) -> list[CarrierCall]:
        """Every call recorded for the shipment."""
        query = select(carrier_calls).where(carrier_calls.c.shipment_id == shipment_id)
        return [_call(row) for row in (await self._session.execute(query)).mappings()]

    async def to_do(self, shipment_id: uuid.UUID) -> list[CarrierCall]:
        """The calls of the shipment not done yet, in the order they must be made."""
        calls = [c for c in await self.of_shipment(shipment_id) if c.status is not CallStatus.DONE]
        return sorted(calls, key=lambda c: RANK[c.operation])

    async def mark_done(self, key: str) -> bool:
        """Mark the call done; False when it was done already (another attempt got there)."""
        return await self._mark(
            key,
            status=CallStatus.DONE.value,
            attempts=carrier_calls.c.attempts + 1,
            last_attempt_at=func.now(),
            done_at=func.now(),
        )

    async def mark_failed(self, key: str, error: str, *, for_good: bool) -> bool:
        """Count a failed attempt; ``for_good`` marks it failed (an operator's replay retries)."""
        status = CallStatus.FAILED if for_good else CallStatus.PENDING
        return await self._mark(
            key,
            status=status.value,
            attempts=carrier_calls.c.attempts + 1,
            last_error=error[:1000],
            last_attempt_at=func.now(),
        )

    async def _mark(self, key: str, **values: Any) -> bool:
        marked = await self._session.execute(
            update(carrier_calls)
            .where(carrier_calls.c.idempotency_key == key, carrier_calls.c.status.in_(_TO_DO))
            .values(**values)
            .returning(carrier_calls.c.idempotency_key)
        )
        return marked.first() is not None


def _call(m: Any) -> CarrierCall:
    return CarrierCall(
        shipment_id=m["shipment_id"],
        order_id=m["order_id"],
        operation=CarrierOperation(m["operation"]),
        status=CallStatus(m["status"]),
        attempts=m["attempts"],
        last_error=m["last_error"],
    )

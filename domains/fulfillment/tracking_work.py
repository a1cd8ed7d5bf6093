"""Delivery tracking's handlers: claim the parcels to ask the carrier about, record what it
answered. Each runs in the caller's short transaction; the carrier is asked between them,
never inside one (see consumers/fulfillment/tracking.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.tracking import (
    LostParcel,
    TrackedShipment,
    TrackingAnswer,
    UnknownParcel,
    UnknownParcelBackoff,
)
from domains.fulfillment.unit_of_work import FulfillmentUnitOfWork


async def claim_shipments_to_track(session: AsyncSession, *, limit: int) -> list[TrackedShipment]:
    """Up to ``limit`` shipped parcels due, never asked about first, then least recently asked;
    each counts as asked now (round robin, whatever the carrier answers)."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        return await uow.tracking.claim_due(limit)


async def record_tracking_answers(
    session: AsyncSession,
    answers: Sequence[tuple[TrackedShipment, TrackingAnswer]],
    backoff: UnknownParcelBackoff,
) -> list[UnknownParcel]:
    """Space out the questions about the parcels the carrier does not know, ask about the
    others at every pass again; the unknown ones, with when they are asked about next."""
    unknown = [UnknownParcel.after(t, backoff) for t, a in answers if a is TrackingAnswer.UNKNOWN]
    known = [t.id for t, a in answers if a is TrackingAnswer.IN_TRANSIT]
    async with FulfillmentUnitOfWork.joining(session) as uow:
        await uow.tracking.note_unknown(
            [(u.shipment.id, u.unknown_answers, timedelta(seconds=u.wait_seconds)) for u in unknown]
        )
        await uow.tracking.note_known(known)
    return unknown


async def count_parcels_unknown(session: AsyncSession) -> int:
    """Shipped parcels whose last answer from the carrier was "no such parcel"."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        return await uow.tracking.count_unknown()


async def parcels_unknown(session: AsyncSession, *, limit: int) -> list[LostParcel]:
    """The parcels the carrier last said it does not have (at most ``limit``), longest-lost
    first: what an operator chases with the carrier or the warehouse."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        return await uow.tracking.unknown(limit)

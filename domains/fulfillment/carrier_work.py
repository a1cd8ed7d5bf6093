"""The carrier calls of a shipment: which are still to make, and what an answer means.

The calls themselves are made by the fulfillment consumer after the transaction that recorded
them committed, never inside one. What an answer means is decided here, in one short
transaction with the ``done`` mark: a booked label ships a packed parcel (the hand-over is
recorded with it: the point of no return) or is kept on a cancelling one; a voided label
cancels the shipment; a carrier that has the parcel already ships it after all.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.calls import (
    AlreadyShipped,
    Booked,
    CallOutcome,
    CarrierCall,
    CarrierOperation,
    Voided,
)
from domains.fulfillment.model import Shipment, ShipmentStatus
from domains.fulfillment.unit_of_work import FulfillmentUnitOfWork
from domains.shared import NotFound

S = ShipmentStatus


async def carrier_calls_to_make(session: AsyncSession, shipment_id: uuid.UUID) -> list[CarrierCall]:
    """The calls of the shipment not done yet, in the order they must be made."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        return await uow.calls.to_do(shipment_id)


async def record_call_done(session: AsyncSession, call: CarrierCall, outcome: CallOutcome) -> bool:
    """Mark ``call`` done and apply its ``outcome`` to the shipment.

    False, with nothing changed, when another attempt marked it done first (calls are
    idempotent: both attempts got the same answer). ``ConcurrentUpdate`` when the shipment
    changed meanwhile: run it again.
    """
    async with FulfillmentUnitOfWork.joining(session) as uow:
        if not await uow.calls.mark_done(call.key):
            return False
        before = await uow.shipments.find(shipment_id=call.shipment_id)
        if before is None:
            raise NotFound(f"shipment {call.shipment_id} does not exist", code="shipment_not_found")
        after = _applied(before, outcome)
        if after is not before:
            await uow.shipments.save(before, after)
        if after.status is S.SHIPPED and before.status is S.PACKED:
            await uow.calls.record(
                CarrierCall(after.id, after.order_id, CarrierOperation.HAND_OVER)
            )
        await uow.commit()
    return True


async def record_call_failed(
    session: AsyncSession, call: CarrierCall, error: str, *, for_good: bool
) -> None:
    """Count a failed attempt of ``call`` (``for_good``: the carrier refused it)."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        await uow.calls.mark_failed(call.key, error, for_good=for_good)


def _applied(shipment: Shipment, outcome: CallOutcome) -> Shipment:
    """The shipment once ``outcome`` is known (the same object when it changes nothing)."""
    match outcome, shipment.status:
        case Booked(), S.PACKED:
            return shipment.advance(
                S.SHIPPED, carrier=outcome.carrier, tracking=outcome.tracking_number
            )
        case Booked(), S.CANCELLING:
            return shipment.labelled(outcome.carrier, outcome.tracking_number)
        case Voided(), S.CANCELLING:
            return shipment.advance(S.CANCELLED)
        case AlreadyShipped(), S.CANCELLING:
            return shipment.advance(S.SHIPPED)
    return shipment

"""What the fulfillment domain does with shipments, in the caller's transaction (``session``).

The fulfillment consumer calls these from its batch transaction; each joins it through the
unit of work, which appends the outbox rows of the milestones reached. Calls to the carrier
are only recorded here (see :mod:`domains.fulfillment.carrier_work`).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.calls import CarrierCall, CarrierOperation
from domains.fulfillment.model import NOT_LEFT, Shipment, ShipmentStatus
from domains.fulfillment.unit_of_work import FulfillmentUnitOfWork
from domains.shared import NotFound

S = ShipmentStatus


async def create_shipment(session: AsyncSession, order_id: uuid.UUID) -> Shipment:
    """The shipment of ``order_id``, created (``ShipmentCreated``) on the first call only."""
    shipment = Shipment.create(order_id)
    async with FulfillmentUnitOfWork.joining(session) as uow:
        if await uow.shipments.add_if_absent(shipment):
            await uow.commit()
            return shipment
    return await get_shipment(session, order_id=order_id)


async def get_shipment(
    session: AsyncSession,
    *,
    shipment_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
) -> Shipment:
    """The shipment by id or order, or ``NotFound(code="shipment_not_found")``."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        shipment = await uow.shipments.find(shipment_id=shipment_id, order_id=order_id)
    if shipment is None:
        raise NotFound("no such shipment", code="shipment_not_found")
    return shipment


async def prepare_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
    """Pick and pack a new shipment and record the booking of its label.

    A shipment prepared before, or cancelled meanwhile, is left as it is.
    """
    before = await get_shipment(session, shipment_id=shipment_id)
    if before.status is not S.CREATED:
        return before
    after = before.advance(S.PICKED).advance(S.PACKED)
    async with FulfillmentUnitOfWork.joining(session) as uow:
        await uow.shipments.save(before, after)
        await uow.calls.record(CarrierCall(after.id, after.order_id, CarrierOperation.BOOK))
        await uow.commit()
    return after


async def stop_shipment(session: AsyncSession, order_id: uuid.UUID) -> Shipment:
    """Stop the shipment of an order whose cancellation was requested, if it has not left.

    Nothing booked at the carrier: ``cancelled`` (``ShipmentCancelled``) at once. A label
    booked (or being booked): ``cancelling``, with the call voiding it recorded; the shipment
    is cancelled once the carrier voided it. No shipment yet (the order's confirmation was not
    handled): one is created ``cancelled``. A shipment already shipped is left alone: the
    cancellation came too late, and its ``ShipmentShipped`` tells the order so.
    """
    async with FulfillmentUnitOfWork.joining(session) as uow:
        before = await uow.shipments.find(order_id=order_id)
        if before is None:
            stand_in = Shipment.cancelled_before_start(order_id)
            if await uow.shipments.add_if_absent(stand_in):
                await uow.commit()
                return stand_in
            before = await get_shipment(session, order_id=order_id)  # created meanwhile
        if before.status not in NOT_LEFT:
            return before
        calls = await uow.calls.of_shipment(before.id)
        booked = any(call.operation is CarrierOperation.BOOK for call in calls)
        after = before.advance(S.CANCELLING if booked else S.CANCELLED)
        await uow.shipments.save(before, after)
        if booked:
            await uow.calls.record(CarrierCall(after.id, after.order_id, CarrierOperation.VOID))
        await uow.commit()
    return after


async def advance_shipment(
    session: AsyncSession,
    shipment_id: uuid.UUID,
    target: ShipmentStatus,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Shipment:
    """Move the shipment to ``target`` (delivered, for delivery tracking; any step in tests)."""
    before = await get_shipment(session, shipment_id=shipment_id)
    after = before.advance(target, carrier=carrier, tracking=tracking_number)
    async with FulfillmentUnitOfWork.joining(session) as uow:
        await uow.shipments.save(before, after)
        await uow.commit()
    return after

"""What the fulfillment domain does, in the caller's transaction (``session``).

The fulfillment consumer calls these from its batch transaction; each joins it through the
unit of work, which appends the outbox rows of the milestones reached.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.model import Shipment, ShipmentStatus
from domains.fulfillment.unit_of_work import FulfillmentUnitOfWork
from domains.shared import NotFound


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


async def advance_shipment(
    session: AsyncSession,
    shipment_id: uuid.UUID,
    target: ShipmentStatus,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Shipment:
    """Move the shipment to ``target`` (picked, packed, shipped, delivered)."""
    before = await get_shipment(session, shipment_id=shipment_id)
    after = before.advance(target, carrier=carrier, tracking=tracking_number)
    async with FulfillmentUnitOfWork.joining(session) as uow:
        await uow.shipments.save(before, after)
        await uow.commit()
    return after


async def cancel_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
    """Cancel a shipment that has not left yet."""
    return await advance_shipment(session, shipment_id, ShipmentStatus.CANCELLED)


async def shipments_in_transit(session: AsyncSession, *, limit: int = 100) -> list[Shipment]:
    """Shipped shipments not delivered yet (what delivery tracking asks the carrier about)."""
    async with FulfillmentUnitOfWork.joining(session) as uow:
        return await uow.shipments.in_status(ShipmentStatus.SHIPPED, limit)

"""What the fulfillment domain does, in the caller's transaction (``session``).

The event-driven workflow (reacting to ``OrderConfirmed``) comes with the consumers; these
functions are what it will call.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

import outbox
from domains.fulfillment import repository
from domains.fulfillment.model import Shipment, ShipmentStatus
from domains.shared import NotFound
from events import IntegrationEvent
from events.schemas.fulfillment import ShipmentCreated, ShipmentDelivered, ShipmentShipped


async def create_shipment(session: AsyncSession, order_id: uuid.UUID) -> Shipment:
    """The shipment of ``order_id``, created (``ShipmentCreated``) on the first call only."""
    shipment = Shipment.create(order_id)
    if await repository.insert_if_absent(session, shipment):
        event = ShipmentCreated(
            shipment_id=shipment.id, order_id=order_id, created_at=datetime.now(UTC)
        )
        await outbox.append(session, event, aggregate_version=shipment.version)
        return shipment
    return await get_shipment(session, order_id=order_id)


async def get_shipment(
    session: AsyncSession,
    *,
    shipment_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
) -> Shipment:
    """The shipment by id or order, or ``NotFound(code="shipment_not_found")``."""
    shipment = await repository.find(session, shipment_id=shipment_id, order_id=order_id)
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
    await repository.save(session, before, after)
    event = _event_of(after)
    if event is not None:
        await outbox.append(session, event, aggregate_version=after.version)
    return after


async def cancel_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
    """Cancel a shipment that has not left yet."""
    return await advance_shipment(session, shipment_id, ShipmentStatus.CANCELLED)


def _event_of(shipment: Shipment) -> IntegrationEvent | None:
    if shipment.status is ShipmentStatus.SHIPPED and shipment.shipped_at is not None:
        return ShipmentShipped(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            shipped_at=shipment.shipped_at,
        )
    if shipment.status is ShipmentStatus.DELIVERED and shipment.delivered_at is not None:
        return ShipmentDelivered(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            delivered_at=shipment.delivered_at,
        )
    return None


async def shipments_in_transit(session: AsyncSession, *, limit: int = 100) -> list[Shipment]:
    """Shipped shipments not delivered yet (what delivery tracking asks the carrier about)."""
    return await repository.in_status(session, ShipmentStatus.SHIPPED, limit)

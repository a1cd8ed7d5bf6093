"""Fulfillment handlers: business logic only, in the consumer's transaction.

``OrderConfirmed`` creates the shipment (``ShipmentCreated``); ``ShipmentCreated`` picks and
packs it and records the booking of its label; ``OrderCancellationRequested`` stops a shipment
that has not left (``ShipmentCancelled`` once the carrier voided its label). Carrier calls are
only recorded here: :mod:`consumers.fulfillment.carrier_calls` makes them after the commit.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import MessageContext, PermanentError
from domains.fulfillment import api as fulfillment
from domains.shared import NotFound
from events.schemas.fulfillment import ShipmentCreated
from events.schemas.orders import OrderCancellationRequested, OrderConfirmed

log = structlog.get_logger("orderflow.fulfillment")


async def open_shipment(event: OrderConfirmed, ctx: MessageContext) -> None:
    """Create the order's shipment; a second confirmation finds the first shipment."""
    await fulfillment.create_shipment(ctx.session, event.order_id)


async def prepare_shipment(event: ShipmentCreated, ctx: MessageContext) -> None:
    """Pick and pack the new shipment; record the booking of its label."""
    try:
        await fulfillment.prepare_shipment(ctx.session, event.shipment_id)
    except NotFound as error:  # the event committed with its shipment: this cannot heal
        raise PermanentError(f"shipment {event.shipment_id} does not exist") from error


async def stop_shipment(event: OrderCancellationRequested, ctx: MessageContext) -> None:
    """Stop the shipment of an order whose cancellation was requested, if it has not left."""
    shipment = await fulfillment.stop_shipment(ctx.session, event.order_id)
    if shipment.status not in (
        fulfillment.ShipmentStatus.CANCELLING,
        fulfillment.ShipmentStatus.CANCELLED,
    ):
        log.info(
            "cancellation_too_late",
            order_id=str(event.order_id),
            shipment_id=str(shipment.id),
            status=shipment.status.value,
        )


async def shipment_of_event(
    event: ShipmentCreated, sessions: async_sessionmaker[AsyncSession]
) -> uuid.UUID:
    """Where a new shipment's calls are: its own id."""
    return event.shipment_id


async def shipment_of_order(
    event: OrderCancellationRequested, sessions: async_sessionmaker[AsyncSession]
) -> uuid.UUID | None:
    """Where the calls stopping an order's shipment are: the order's shipment."""
    async with sessions() as session:
        try:
            shipment = await fulfillment.get_shipment(session, order_id=event.order_id)
        except NotFound:
            return None
    return shipment.id

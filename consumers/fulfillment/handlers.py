"""Fulfillment handlers: business logic only, in the consumer's transaction.

``OrderConfirmed`` creates the shipment (``ShipmentCreated``); ``ShipmentCreated`` books the
parcel and walks pick → pack → ship (``ShipmentShipped``); ``OrderCancelled`` compensates
before shipping: shipment cancelled, booking voided, stock given back.
"""

from __future__ import annotations

import contextlib

import structlog

from consumers.fulfillment.carrier import Carrier
from consumers.runtime import Handler, MessageContext, PermanentError
from domains.catalog import api as catalog
from domains.fulfillment import api as fulfillment
from domains.shared import NotFound
from events.schemas.fulfillment import ShipmentCreated
from events.schemas.orders import OrderCancelled, OrderConfirmed

log = structlog.get_logger("orderflow.fulfillment")

S = fulfillment.ShipmentStatus
WAREHOUSE_STEPS = (S.PICKED, S.PACKED)
NOT_LEFT = frozenset({S.CREATED, S.PICKED, S.PACKED})


async def open_shipment(event: OrderConfirmed, ctx: MessageContext) -> None:
    """Create the order's shipment; a second confirmation finds the first shipment."""
    await fulfillment.create_shipment(ctx.session, event.order_id)


def dispatch_shipment(carrier: Carrier) -> Handler:
    """The handler booking the parcel and shipping it (a carrier outage is retried)."""

    async def dispatch(event: ShipmentCreated, ctx: MessageContext) -> None:
        shipment = await _shipment(ctx, event)
        if shipment.status is S.CANCELLED:
            await carrier.void(shipment.id)  # a booking may have raced the cancellation
            return
        if shipment.status not in NOT_LEFT:
            return  # shipped already: a duplicate or a replay
        parcel = await carrier.book(shipment.id, shipment.order_id)
        for step in WAREHOUSE_STEPS:
            if step in fulfillment.TRANSITIONS[shipment.status]:
                shipment = await fulfillment.advance_shipment(ctx.session, shipment.id, step)
        await fulfillment.advance_shipment(
            ctx.session,
            shipment.id,
            S.SHIPPED,
            carrier=parcel.carrier,
            tracking_number=parcel.tracking_number,
        )

    return dispatch


def compensate_cancellation(carrier: Carrier) -> Handler:
    """The handler undoing fulfillment for an order cancelled before it shipped."""

    async def compensate(event: OrderCancelled, ctx: MessageContext) -> None:
        await _cancel_shipment(ctx, carrier, event)
        with contextlib.suppress(NotFound):  # an order placed without checkout reserved nothing
            await catalog.restock_cancelled_order(ctx.session, event.order_id)

    return compensate


async def _cancel_shipment(ctx: MessageContext, carrier: Carrier, event: OrderCancelled) -> None:
    try:
        shipment = await fulfillment.get_shipment(ctx.session, order_id=event.order_id)
    except NotFound:
        return  # cancelled before fulfillment took it on
    if shipment.status in NOT_LEFT:
        await fulfillment.cancel_shipment(ctx.session, shipment.id)
        await carrier.void(shipment.id)
    elif shipment.status is not S.CANCELLED:
        log.warning(
            "cancelled_after_shipping",
            order_id=str(event.order_id),
            shipment_id=str(shipment.id),
            status=shipment.status.value,
        )


async def _shipment(ctx: MessageContext, event: ShipmentCreated) -> fulfillment.Shipment:
    try:
        return await fulfillment.get_shipment(ctx.session, shipment_id=event.shipment_id)
    except NotFound as error:  # the event committed with its shipment: this cannot heal
        raise PermanentError(f"shipment {event.shipment_id} does not exist") from error

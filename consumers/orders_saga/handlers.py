"""The orders side of the fulfillment saga: each shipment milestone moves its order on.

Stale and duplicate milestones change nothing (``follow_shipment`` only moves forward), and a
milestone that overtook an earlier one (in a retry tier) takes the skipped steps too. A parcel
that left while the order's cancellation was requested rejects the cancellation. A cancelled
shipment completes the order's cancellation after the commit (:func:`complete_cancellation`):
the refund is a call to the payment provider, made outside any transaction.
"""

from __future__ import annotations

from functools import partial

import structlog

from consumers.runtime import Effect, EffectContext, Handler, MessageContext, PermanentError
from domains.orders import api as orders
from domains.payments import api as payments
from domains.shared import NotFound
from events.schemas.fulfillment import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentShipped,
)

Milestone = ShipmentCreated | ShipmentShipped | ShipmentDelivered
log = structlog.get_logger("orderflow.orders_saga")


def follow(reached: orders.OrderStatus) -> Handler:
    """The handler moving the order of a shipment milestone up to ``reached``."""

    async def move_order(event: Milestone, ctx: MessageContext) -> None:
        try:
            await orders.follow_shipment(ctx.session, event.order_id, event.shipment_id, reached)
        except NotFound as error:  # a shipment exists only for a confirmed order
            raise PermanentError(str(error)) from error

    return move_order


async def note_cancelled_shipment(event: ShipmentCancelled, ctx: MessageContext) -> None:
    """Nothing to write in the batch: its inbox row records that the order's cancellation is
    due, and the offset is committed only after the effect below completed it."""


def complete_cancellation(provider: payments.PaymentProvider) -> Effect:
    """The effect refunding, cancelling and restocking the order of a cancelled shipment."""

    async def complete(event: ShipmentCancelled, ctx: EffectContext) -> None:
        uow = partial(orders.OrdersUnitOfWork, ctx.sessions)
        try:
            order = await orders.complete_cancellation(event.order_id, uow, provider)
        except NotFound as error:  # a shipment exists only for a confirmed order
            raise PermanentError(str(error)) from error
        except payments.ProviderRejected as error:  # our data: retrying cannot help
            raise PermanentError(str(error)) from error
        if order is not None:
            log.info(
                "order_cancelled",
                order_id=str(order.id),
                shipment_id=str(event.shipment_id),
                correlation_id=ctx.envelope.correlation_id,
            )

    return complete

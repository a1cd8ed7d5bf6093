"""The orders side of the fulfillment saga: each shipment milestone moves its order on.

Stale and duplicate milestones change nothing (``follow_shipment`` only moves forward), and a
milestone that overtook an earlier one (in a retry tier) takes the skipped steps too.
"""

from __future__ import annotations

from consumers.runtime import Handler, MessageContext, PermanentError
from domains.orders import api as orders
from domains.shared import NotFound
from events.schemas.fulfillment import ShipmentCreated, ShipmentDelivered, ShipmentShipped

Milestone = ShipmentCreated | ShipmentShipped | ShipmentDelivered


def follow(reached: orders.OrderStatus) -> Handler:
    """The handler moving the order of a shipment milestone up to ``reached``."""

    async def move_order(event: Milestone, ctx: MessageContext) -> None:
        try:
            await orders.follow_shipment(ctx.session, event.order_id, event.shipment_id, reached)
        except NotFound as error:  # a shipment exists only for a confirmed order
            raise PermanentError(str(error)) from error

    return move_order

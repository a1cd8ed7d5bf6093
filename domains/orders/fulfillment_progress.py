"""The orders side of the fulfillment saga: follow the shipment's milestones.

Runs in the CALLER's transaction (a consumer's, shared with its inbox row): its unit of work
joins that transaction and leaves committing to the consumer runtime.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.metrics import CANCELLATIONS
from domains.orders.model import Order, OrderStatus
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.shared import NotFound

S = OrderStatus
FULFILLMENT_PATH = (S.CONFIRMED, S.FULFILLING, S.SHIPPED, S.DELIVERED)
LEFT = frozenset({S.SHIPPED, S.DELIVERED})  # milestones after which nothing can be cancelled
_STEPS: dict[OrderStatus, Callable[[Order, uuid.UUID], None]] = {
    S.FULFILLING: Order.start_fulfilling,
    S.SHIPPED: Order.ship,
    S.DELIVERED: Order.deliver,
}


async def follow_shipment(
    session: AsyncSession, order_id: uuid.UUID, shipment_id: uuid.UUID, reached: OrderStatus
) -> bool:
    """Move the order up to ``reached`` (fulfilling, shipped or delivered); True if it moved.

    Idempotent and safe against stale milestones: an order already at or past ``reached``, or
    off the fulfillment path (cancelled, refunded, not confirmed yet), is left alone. When a
    milestone overtakes an earlier one (that one is in a retry tier), the skipped steps are
    taken in order, each with its event. An order whose cancellation was requested is left
    alone until its parcel leaves; then the cancellation is rejected (``already_shipped``) and
    the order follows its parcel. ``NotFound`` when the order does not exist;
    ``ConcurrentUpdate`` when it changed meanwhile (retry).
    """
    async with OrdersUnitOfWork.joining(session) as uow:
        order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"order {order_id} does not exist", code="order_not_found")
        rejected = order.status is S.CANCELLATION_REQUESTED and reached in LEFT
        if rejected:
            order.reject_cancellation("already_shipped")
        steps = _steps_to(order.status, reached)
        for status in steps:
            _STEPS[status](order, shipment_id)
        await uow.commit()
    if rejected:
        CANCELLATIONS.labels("rejected").inc()
    return bool(steps)


def _steps_to(current: OrderStatus, reached: OrderStatus) -> tuple[OrderStatus, ...]:
    if reached not in _STEPS:
        raise ValueError(f"{reached.value} is not a fulfillment milestone")
    if current not in FULFILLMENT_PATH:
        return ()
    start, end = FULFILLMENT_PATH.index(current), FULFILLMENT_PATH.index(reached)
    return FULFILLMENT_PATH[start + 1 : end + 1]

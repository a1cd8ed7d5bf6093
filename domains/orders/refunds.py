"""Admin refunds: money back through the provider first, for orders that shipped.

The provider call happens between two transactions: read and check, call the provider with
the intent's refund key (it dedupes, so a retry after a crash never refunds twice), then move
the order and the payment together with their outbox rows. An order that has not shipped is
cancelled instead (``domains.orders.cancellation``): refunding it would let its parcel go.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from domains.identity.api import Principal
from domains.orders.authorization import ensure_admin
from domains.orders.model import TRANSITIONS, Order, OrderStatus, refund_reason
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import Conflict, NotFound

Uow = Callable[[], OrdersUnitOfWork]
S = OrderStatus
NOT_SHIPPED = frozenset({S.CONFIRMED, S.FULFILLING, S.CANCELLATION_REQUESTED})


async def refund_order(
    order_id: uuid.UUID,
    principal: Principal,
    reason: str,
    uow: Uow,
    provider: payments.PaymentProvider,
) -> Order:
    """An admin refunds a shipped or delivered order in full (``OrderRefunded`` +
    ``PaymentRefunded``); ``Conflict(not_shipped_yet)`` before that: cancel it instead.

    Every input is checked before the provider call: after it, nothing the caller sent can
    make the request fail.
    """
    ensure_admin(principal)
    reason = refund_reason(reason)
    async with uow() as reading:
        order = await load_order(reading, order_id)
        _ensure_refundable(order)
        if await payments.find_external_payment(reading.session, order_id) is not None:
            raise Conflict(
                f"order {order_id} was paid to the upstream service that submitted it, not "
                "through us: the refund is that service's to make",
                code="paid_upstream",
            )
        intent = await payments.get_intent(reading.session, order_id)
        payments.ensure_refundable(intent)
    receipt = await refund_at_provider(provider, intent)
    async with uow() as writing:
        order = await load_order(writing, order_id)
        order.refund(intent.amount_minor, reason)
        fresh = await payments.get_intent(writing.session, order_id)
        await payments.record_refund(writing.session, fresh, receipt, reason=reason)
        await writing.commit()
    return order


async def load_order(uow: OrdersUnitOfWork, order_id: uuid.UUID) -> Order:
    """The order, or ``NotFound(order_not_found)``."""
    order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", code="order_not_found")
    return order


async def refund_at_provider(
    provider: payments.PaymentProvider, intent: payments.PaymentIntent
) -> payments.RefundReceipt:
    """Refund the whole intent at the provider, deduplicated by the intent's refund key."""
    assert intent.provider_reference is not None  # an authorized intent has one
    return await provider.refund(
        intent.refund_key, reference=intent.provider_reference, amount_minor=intent.amount_minor
    )


def _ensure_refundable(order: Order) -> None:
    if order.status in NOT_SHIPPED:
        raise Conflict(
            f"order {order.id} is {order.status.value}: it has not shipped; cancel it instead "
            "(POST /v1/orders/{id}/cancel), which stops the parcel before refunding",
            code="not_shipped_yet",
        )
    if S.REFUNDED not in TRANSITIONS[order.status]:
        raise Conflict(
            f"order {order.id} is {order.status.value}; it cannot be refunded",
            code="illegal_transition",
        )

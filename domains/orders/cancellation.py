"""Customer cancellations and admin refunds: money back through the provider first.

The provider call happens between two transactions: read and check, call the provider with
the intent's refund key (it dedupes, so a retry after a crash never refunds twice), then
move the order and the payment together with their outbox rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from domains.catalog import api as catalog
from domains.identity.api import Principal
from domains.orders.authorization import ensure_admin, ensure_may_cancel
from domains.orders.model import TRANSITIONS, Order, OrderStatus
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import Conflict, NotFound

Uow = Callable[[], OrdersUnitOfWork]


async def cancel_order(
    order_id: uuid.UUID, principal: Principal, uow: Uow, provider: payments.PaymentProvider
) -> Order:
    """Cancel before shipping: release the stock of an unpaid order, refund a paid one."""
    async with uow() as reading:
        order = await _load(reading, order_id)
        ensure_may_cancel(principal, order)
        _ensure_can_reach(order, OrderStatus.CANCELLED)
        intent = await _intent(reading, order)
    if intent is not None and intent.status is payments.IntentStatus.PENDING:
        raise Conflict(
            "the payment of this order is still being confirmed; retry in a minute",
            code="payment_in_progress",
        )
    paid = intent is not None and intent.status is payments.IntentStatus.AUTHORIZED
    receipt = await _refund_at_provider(provider, intent) if paid else None
    async with uow() as writing:
        order = await _load(writing, order_id)
        was_reserved = intent is not None and not order.is_paid
        order.cancel("customer_request")
        if receipt is not None and intent is not None:
            fresh = await payments.get_intent(writing.session, order_id)
            await payments.record_refund(writing.session, fresh, receipt, reason="cancelled")
        if was_reserved:
            await catalog.release_stock(writing.session, order_id)
        await writing.commit()
    return order


async def refund_order(
    order_id: uuid.UUID,
    principal: Principal,
    reason: str,
    uow: Uow,
    provider: payments.PaymentProvider,
) -> Order:
    """An admin refunds a paid order in full (``OrderRefunded`` + ``PaymentRefunded``)."""
    ensure_admin(principal)
    async with uow() as reading:
        order = await _load(reading, order_id)
        _ensure_can_reach(order, OrderStatus.REFUNDED)
        intent = await payments.get_intent(reading.session, order_id)
        payments.ensure_refundable(intent)
    receipt = await _refund_at_provider(provider, intent)
    async with uow() as writing:
        order = await _load(writing, order_id)
        order.refund(intent.amount_minor, reason)
        fresh = await payments.get_intent(writing.session, order_id)
        await payments.record_refund(writing.session, fresh, receipt, reason=reason)
        await writing.commit()
    return order


async def _load(uow: OrdersUnitOfWork, order_id: uuid.UUID) -> Order:
    order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", code="order_not_found")
    return order


async def _intent(uow: OrdersUnitOfWork, order: Order) -> payments.PaymentIntent | None:
    try:
        return await payments.get_intent(uow.session, order.id)
    except NotFound:  # placed through POST /v1/orders: nothing reserved, nothing charged
        return None


def _ensure_can_reach(order: Order, target: OrderStatus) -> None:
    if target not in TRANSITIONS[order.status]:
        raise Conflict(
            f"order {order.id} is {order.status.value}; it cannot become {target.value}",
            code="illegal_transition",
        )


async def _refund_at_provider(
    provider: payments.PaymentProvider, intent: payments.PaymentIntent | None
) -> payments.RefundReceipt:
    assert intent is not None
    assert intent.provider_reference is not None
    return await provider.refund(
        intent.refund_key, reference=intent.provider_reference, amount_minor=intent.amount_minor
    )

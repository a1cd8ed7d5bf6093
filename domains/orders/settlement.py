"""Settle an order once the provider's answer is known (or given up on).

Used by checkout right after authorizing and by reconciliation later. One transaction moves
the order, the payment intent, the stock reservation and the stored checkout answer.
"""

from __future__ import annotations

import enum
import uuid

from domains.catalog import api as catalog
from domains.orders.idempotency import CheckoutAnswer
from domains.orders.model import Order, OrderStatus
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.orders.views import order_document
from domains.payments import api as payments
from domains.shared import NotFound

UNSETTLED = frozenset({OrderStatus.PENDING, OrderStatus.PAYMENT_PENDING})


class Settlement(enum.StrEnum):
    """How an order was settled; also the outcome label of the checkout metric."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"
    PAYMENT_PENDING = "payment_pending"
    EXPIRED = "expired"
    ABANDONED = "abandoned"
    ALREADY_SETTLED = "already_settled"


async def settle_order(
    uow: OrdersUnitOfWork,
    order_id: uuid.UUID,
    answer: payments.Authorization | None,
    *,
    give_up: bool = False,
    never_reached_provider: bool = False,
    known: tuple[Order, payments.PaymentIntent] | None = None,
) -> tuple[Settlement, CheckoutAnswer]:
    """Apply ``answer`` (None: unknown) to the order; ``give_up`` expires an unknown payment,
    ``never_reached_provider`` abandons one the provider says it never saw.

    ``known``: the order and intent as the caller just wrote them (checkout), which saves
    reading them again; the version checks on update still catch any concurrent change.
    """
    async with uow:
        order, intent = known or await _load(uow, order_id)
        if known:
            uow.orders.attach(order)
        if order.status not in UNSETTLED or intent.status is not payments.IntentStatus.PENDING:
            return Settlement.ALREADY_SETTLED, _answer(order, Settlement.ALREADY_SETTLED)
        if never_reached_provider:
            settlement = await _abandon(uow, order, intent)
        else:
            settlement = await _apply(uow, order, intent, answer, give_up=give_up)
        stored = _answer(order, settlement)
        uow.orders.answer_checkout(order, stored)  # written with the order's update
        await uow.commit()
    return settlement, stored


async def _load(uow: OrdersUnitOfWork, order_id: uuid.UUID) -> tuple[Order, payments.PaymentIntent]:
    order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", code="order_not_found")
    return order, await payments.get_intent(uow.session, order_id)


async def _apply(
    uow: OrdersUnitOfWork,
    order: Order,
    intent: payments.PaymentIntent,
    answer: payments.Authorization | None,
    *,
    give_up: bool,
) -> Settlement:
    session = uow.session
    if answer is not None and answer.outcome is payments.Outcome.AUTHORIZED:
        await payments.record_authorization(session, intent, answer)
        await catalog.commit_stock(session, order.id)
        order.confirm(answer.reference or "")
        return Settlement.CONFIRMED
    if answer is not None:
        await payments.record_authorization(session, intent, answer)
        await catalog.release_stock(session, order.id)
        order.cancel("payment_declined")
        return Settlement.DECLINED
    if give_up:
        await payments.expire_intent(session, intent)
        await catalog.release_stock(session, order.id)
        order.cancel("payment_expired")
        return Settlement.EXPIRED
    if order.status is OrderStatus.PENDING:
        order.await_payment()
    return Settlement.PAYMENT_PENDING


async def _abandon(
    uow: OrdersUnitOfWork, order: Order, intent: payments.PaymentIntent
) -> Settlement:
    """Nothing was charged (the provider never saw the key): cancel and release the stock."""
    await payments.expire_intent(uow.session, intent, "abandoned")
    await catalog.release_stock(uow.session, order.id)
    order.cancel("payment_abandoned")
    return Settlement.ABANDONED


def _answer(order: Order, settlement: Settlement) -> CheckoutAnswer:
    """The checkout's answer; declined, expired and abandoned answers name the order, others
    show it."""
    if settlement in (Settlement.DECLINED, Settlement.EXPIRED, Settlement.ABANDONED):
        return CheckoutAnswer(settlement.value, order.id)
    return CheckoutAnswer(settlement.value, order.id, order_document(order))

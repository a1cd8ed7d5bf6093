"""Cancelling orders: at once while unpaid; a paid one through the fulfillment saga.

A paid order must never end refunded while its parcel travels. So the customer's request only
moves it to ``cancellation_requested`` (``OrderCancellationRequested``); fulfillment then stops
the shipment at the carrier, and only its ``ShipmentCancelled`` makes the orders saga call
:func:`complete_cancellation`: refund at the provider (outside any transaction, with the
intent's refund key, so a repeat is the same refund), then cancel, record the refund and give
the stock back in one transaction. When the parcel left first, the saga rejects the
cancellation instead (see :mod:`domains.orders.fulfillment_progress`): nothing is refunded.

An order an upstream service submitted already paid (an external payment, no intent) is
never refunded here: our provider never had the money. Its cancellation tells the upstream
on its reply topic (``SubmittedOrderCancelled``, ``refund: upstream``) and the refund is its.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from domains.catalog import api as catalog
from domains.identity.api import Principal
from domains.orders.authorization import ensure_may_cancel
from domains.orders.intake.metrics import CANCELLED as INTAKE_CANCELLED
from domains.orders.metrics import CANCELLATIONS
from domains.orders.model import Order, OrderStatus
from domains.orders.refunds import load_order, refund_at_provider
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import ConcurrentUpdate, Conflict, NotFound

Uow = Callable[[], OrdersUnitOfWork]
S = OrderStatus
CUSTOMER_REQUEST = "customer_request"
UNPAID = frozenset({S.PENDING, S.PAYMENT_PENDING})
NOT_SHIPPED = frozenset({S.CONFIRMED, S.FULFILLING})
LEFT = frozenset({S.SHIPPED, S.DELIVERED})


async def cancel_order(order_id: uuid.UUID, principal: Principal, uow: Uow) -> Order:
    """Cancel an unpaid order at once, or request the cancellation of a paid one.

    Returns the order ``cancelled`` (done) or ``cancellation_requested`` (accepted: the outcome
    follows from fulfillment); asking again answers the same. Raises ``Conflict``:
    ``too_late_to_cancel`` once the parcel left, ``payment_in_progress`` while the payment is
    being confirmed, ``illegal_transition`` for a refunded order. A race with the saga moving
    the order on is retried here, not handed to the client.
    """
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(ConcurrentUpdate), stop=stop_after_attempt(5), reraise=True
    )
    async for attempt in retrying:
        with attempt:
            return await _cancel(order_id, principal, uow)
    raise AssertionError("unreachable: tenacity returns or re-raises")


async def complete_cancellation(
    order_id: uuid.UUID, uow: Uow, provider: payments.PaymentProvider
) -> Order | None:
    """Finish cancelling a paid order whose shipment was cancelled: refund, cancel, restock.

    None when the order is not waiting for it (completed by an earlier attempt). The provider
    is called between two transactions; ``ProviderUnavailable`` leaves everything as it was.
    """
    async with uow() as reading:
        order = await load_order(reading, order_id)
        if order.status is not S.CANCELLATION_REQUESTED:
            return None
        intent = await _intent(reading, order)
    receipt = None
    if intent is not None and intent.status is payments.IntentStatus.AUTHORIZED:
        receipt = await refund_at_provider(provider, intent)
    async with uow() as writing:
        order = await load_order(writing, order_id)
        if order.status is not S.CANCELLATION_REQUESTED:
            return None  # another attempt finished first (its refund had the same key)
        refund = await _cancel_and_tell(writing, order, CUSTOMER_REQUEST)
        if receipt is not None:
            fresh = await payments.get_intent(writing.session, order_id)
            await payments.record_refund(writing.session, fresh, receipt, reason="cancelled")
        with contextlib.suppress(NotFound):  # placed without checkout: nothing was reserved
            await catalog.restock_cancelled_order(writing.session, order_id)
        await writing.commit()
    CANCELLATIONS.labels("completed").inc()
    _count_submitted(refund)
    return order


async def _cancel(order_id: uuid.UUID, principal: Principal, uow: Uow) -> Order:
    async with uow() as writing:
        order = await load_order(writing, order_id)
        ensure_may_cancel(principal, order)
        if order.status in (S.CANCELLED, S.CANCELLATION_REQUESTED):
            return order
        if order.status in LEFT:
            CANCELLATIONS.labels("too_late").inc()
            raise Conflict(
                f"order {order.id} is {order.status.value}: the parcel has left and can no "
                "longer be stopped; once it arrives, an admin can refund it",
                code="too_late_to_cancel",
            )
        refund = None  # who refunds a submitted order cancelled here and now
        if order.status in NOT_SHIPPED:
            order.request_cancellation(CUSTOMER_REQUEST)
            outcome = "requested"
        elif order.status in UNPAID:
            refund = await _cancel_unpaid(writing, order)
            outcome = "cancelled"
        else:
            raise Conflict(
                f"order {order.id} is {order.status.value}; it cannot be cancelled",
                code="illegal_transition",
            )
        await writing.commit()
    CANCELLATIONS.labels(outcome).inc()
    _count_submitted(refund)
    return order


async def _cancel_unpaid(uow: OrdersUnitOfWork, order: Order) -> str | None:
    intent = await _intent(uow, order)
    if intent is not None and intent.status in (
        payments.IntentStatus.PENDING,
        payments.IntentStatus.AUTHORIZED,
    ):
        raise Conflict(
            "the payment of this order is still being confirmed; retry in a minute",
            code="payment_in_progress",
        )
    refund = await _cancel_and_tell(uow, order, CUSTOMER_REQUEST)
    with contextlib.suppress(NotFound):  # placed without checkout or intake: nothing reserved
        await catalog.release_stock(uow.session, order.id)
    return refund


async def _cancel_and_tell(uow: OrdersUnitOfWork, order: Order, reason: str) -> str | None:
    """Cancel ``order``; if an upstream service submitted it, reply that it was cancelled, and
    who refunds (a payment it took itself is its own to refund: we never charged it). The
    cancellation says so too, for the customer's e-mail. Returns who refunds; None for an
    order nobody submitted."""
    paid_upstream = await payments.find_external_payment(uow.session, order.id) is not None
    order.cancel(reason, paid_upstream=paid_upstream)
    submission = await uow.submissions.of_order(order.id)
    if submission is None:
        return None
    return submission.order_cancelled(reason, paid_upstream=paid_upstream)


def _count_submitted(refund: str | None) -> None:
    if refund is not None:
        INTAKE_CANCELLED.labels(refund).inc()


async def _intent(uow: OrdersUnitOfWork, order: Order) -> payments.PaymentIntent | None:
    try:
        return await payments.get_intent(uow.session, order.id)
    except NotFound:  # placed through POST /v1/orders: nothing reserved, nothing charged
        return None

"""The fulfillment saga on the real pair: shipped and delivered, a cancellation that wins, one
that comes too late, carrier outages, and no transaction open while the carrier answers."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import retry_topic
from devtools.fakes.carrier import Behaviour
from domains.payments import api as payments
from domains.shared import Conflict
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import topic_size
from tests.integration.saga.endings import (
    cancelled_and_not_shipped,
    ending_of,
    shipped_and_not_refunded,
)
from tests.integration.saga.orders import cancel, confirmed_order, paid_order, status_of
from tests.integration.saga.support import Saga
from tests.support.outbox import event_types
from tests.support.polling import eventually
from tests.support.shop import new_product

Sessions = async_sessionmaker[AsyncSession]


async def test_the_saga_drives_a_confirmed_order_to_shipped_then_delivered(
    sessions: Sessions, saga: Saga
) -> None:
    sku = await new_product(sessions, stock=5)
    order_id = await confirmed_order(sessions, sku)

    async def reached(status: str) -> bool:
        return await status_of(sessions, order_id) == status

    await eventually(lambda: reached("shipped"), timeout=60, what="order shipped")
    await eventually(lambda: reached("delivered"), timeout=60, what="order delivered")
    order_events = [t for t in await event_types(sessions, order_id) if t.startswith("orders.")]
    assert order_events[-3:] == [
        "orders.OrderFulfilling",
        "orders.OrderShipped",
        "orders.OrderDelivered",
    ]
    ending = await ending_of(sessions, saga.carrier.state, order_id, sku)
    assert ending.parcels == ("delivered",)


async def test_no_transaction_is_open_while_the_carrier_answers(
    sessions: Sessions, saga: Saga, payment_provider: payments.PaymentProvider
) -> None:
    saga.watched.hold_seconds = 0.5  # every call takes this long; a transaction across it shows
    sku = await new_product(sessions, stock=5)
    shipped = await paid_order(sessions, payment_provider, sku)
    stopped = await paid_order(sessions, payment_provider, sku)
    saga.carrier.state.behaviour = Behaviour(deliver_after_seconds=0.5, latency_ms=300)
    await cancel(sessions, stopped.order_id, stopped.customer)

    async def settled() -> bool:
        return [await status_of(sessions, o.order_id) for o in (shipped, stopped)] == [
            "delivered",
            "cancelled",
        ]

    await eventually(settled, timeout=90, what="one order delivered, the other cancelled")
    assert saga.watched.calls >= 3  # book, hand over, track: each watched
    assert saga.watched.spanning == []


async def test_a_cancellation_before_the_parcel_leaves_cancels_refunds_and_restocks(
    sessions: Sessions, saga: Saga, payment_provider: payments.PaymentProvider
) -> None:
    # Booking takes 3 s (the adapter waits 5): the cancellation is handled while it is made.
    saga.carrier.state.behaviour = Behaviour(latency_ms=3000)
    sku = await new_product(sessions, stock=5)
    booked_before = saga.carrier.state.calls.get("book", 0)
    paid = await paid_order(sessions, payment_provider, sku, quantity=2)

    async def booking() -> bool:
        return saga.carrier.state.calls.get("book", 0) > booked_before

    await eventually(booking, timeout=60, what="the booking sent")
    assert await cancel(sessions, paid.order_id, paid.customer) == "cancellation_requested"

    async def cancelled() -> bool:
        return await status_of(sessions, paid.order_id) == "cancelled"

    await eventually(cancelled, timeout=60, what="order cancelled")
    ending = await ending_of(sessions, saga.carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=5), ending
    assert ending.parcels == ("voided",)


async def test_a_cancellation_after_the_parcel_left_is_refused_and_nothing_refunded(
    sessions: Sessions, saga: Saga, payment_provider: payments.PaymentProvider
) -> None:
    sku = await new_product(sessions, stock=5)
    paid = await paid_order(sessions, payment_provider, sku, quantity=2)

    async def shipped() -> bool:
        return await status_of(sessions, paid.order_id) in ("shipped", "delivered")

    await eventually(shipped, timeout=60, what="order shipped")
    with pytest.raises(Conflict) as refused:
        await cancel(sessions, paid.order_id, paid.customer)

    assert refused.value.code == "too_late_to_cancel"
    ending = await ending_of(sessions, saga.carrier.state, paid.order_id, sku)
    assert shipped_and_not_refunded(ending, stock=5, quantity=2), ending


async def test_a_carrier_outage_is_retried_through_a_tier_and_then_ships(
    sessions: Sessions, saga: Saga, kafka: KafkaConnection
) -> None:
    saga.carrier.state.behaviour.failure_mode = "error"
    saga.carrier.state.behaviour.failure_count = 4  # more than the quick in-process attempts
    saga.carrier.state.behaviour.failing_operations = ["book"]
    sku = await new_product(sessions, stock=5)
    order_id = await confirmed_order(sessions, sku)

    async def shipped() -> bool:
        return await status_of(sessions, order_id) == "shipped"

    await eventually(shipped, timeout=90, what="order shipped after the outage")
    assert saga.carrier.state.failures >= 4
    assert await topic_size(kafka, retry_topic(saga.fulfillment_group, 1)) >= 1
    ending = await ending_of(sessions, saga.carrier.state, order_id, sku)
    assert len(ending.parcels) == 1  # every attempt carried the same key

"""A customer cancels a paid order at each step of fulfillment, the saga stepped by hand.

Whatever the step, the order ends one of two ways and never in between: cancelled, refunded
once, restocked, and nothing handed to the carrier (a label it booked is voided first); or
shipped, with its parcel at the carrier, and not refunded. Every test ends with the saga run
to quiet and that check.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment import fulfillment_consumer, track_deliveries
from consumers.orders_saga import orders_saga_consumer
from consumers.runtime import MessageContext
from devtools.fakes.carrier import Behaviour
from domains.payments import api as payments
from domains.shared import Conflict
from tests.integration.saga.endings import (
    cancelled_and_not_shipped,
    ending_of,
    shipped_and_not_refunded,
)
from tests.integration.saga.orders import PaidOrder, cancel, paid_order
from tests.integration.saga.stepping import SteppedSaga
from tests.integration.saga.support import FakeCarrier, WatchedCarrier
from tests.support.outbox import event_types
from tests.support.polling import eventually
from tests.support.shop import new_product

Sessions = async_sessionmaker[AsyncSession]
STOCK, QUANTITY = 5, 2
WAITING_ON_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@pytest.fixture
async def stepped(
    sessions: Sessions, carrier: FakeCarrier, payment_provider: payments.PaymentProvider
) -> SteppedSaga:
    """Fulfillment and the orders saga, on the fakes, delivered by hand."""
    watched = WatchedCarrier(sessions, carrier.url)
    consumers = [fulfillment_consumer(watched), orders_saga_consumer(payment_provider)]
    return await SteppedSaga(sessions, consumers).start()


@pytest.fixture
async def order(
    sessions: Sessions, payment_provider: payments.PaymentProvider, stepped: SteppedSaga
) -> tuple[PaidOrder, str]:
    """A paid order of ``QUANTITY`` of a new product with ``STOCK`` units."""
    sku = await new_product(sessions, stock=STOCK)
    return await paid_order(sessions, payment_provider, sku, QUANTITY), sku


async def test_a_cancel_before_the_shipment_exists_wins(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order

    assert await cancel(sessions, paid.order_id, paid.customer) == "cancellation_requested"
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    assert ending.parcels == ()  # nothing was ever booked
    assert (await _order_events(sessions, paid))[-2:] == [
        "orders.OrderCancellationRequested",
        "orders.OrderCancelled",
    ]


async def test_a_cancellation_overtaking_the_confirmation_leaves_a_cancelled_stand_in(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    await cancel(sessions, paid.order_id, paid.customer)

    # The confirmation waits in a retry tier while the cancellation request is handled.
    await stepped.deliver(await stepped.next("fulfillment:OrderCancellationRequested"))
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    shipment_events = await _shipment_events(sessions, paid)
    assert shipment_events == ["fulfillment.ShipmentCancelled"]  # never created, never booked


async def test_a_cancel_once_the_shipment_was_created_wins_without_a_carrier_call(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    await stepped.run(until=lambda d: d.name == "fulfillment:ShipmentCreated")

    await cancel(sessions, paid.order_id, paid.customer)
    # The cancellation reaches fulfillment before the new shipment is picked.
    await stepped.deliver(await stepped.next("fulfillment:OrderCancellationRequested"))
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    assert ending.parcels == ()


async def test_a_cancel_after_pick_and_pack_voids_the_label_before_the_refund(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    created = await stepped.run(until=lambda d: d.name == "fulfillment:ShipmentCreated")
    assert created is not None
    await stepped.handle(created)  # picked, packed, the booking recorded, not made yet

    assert await cancel(sessions, paid.order_id, paid.customer) == "cancellation_requested"
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    assert ending.parcels == ("voided",)


async def test_a_cancel_while_the_label_is_being_booked_voids_it_once_booked(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    carrier.state.behaviour = Behaviour(latency_ms=800)
    created = await stepped.run(until=lambda d: d.name == "fulfillment:ShipmentCreated")
    assert created is not None
    await stepped.handle(created)
    booked_before = carrier.state.calls.get("book", 0)
    booking = asyncio.create_task(stepped.effect(created))

    async def booking_sent() -> bool:
        return carrier.state.calls.get("book", 0) > booked_before

    await eventually(booking_sent, 10, "the booking sent")

    await cancel(sessions, paid.order_id, paid.customer)
    # The cancellation's own effect makes the pending calls too: the same booking, then the void.
    await stepped.deliver(await stepped.next("fulfillment:OrderCancellationRequested"))
    await booking
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    assert ending.parcels == ("voided",)


async def test_a_cancel_racing_the_decision_to_ship_wins_when_it_commits_first(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    created = await stepped.run(until=lambda d: d.name == "fulfillment:ShipmentCreated")
    assert created is not None
    await stepped.handle(created)
    await cancel(sessions, paid.order_id, paid.customer)
    request = await stepped.next("fulfillment:OrderCancellationRequested")
    handler = request.consumer.handlers[type(request.event)]

    # The cancellation's transaction holds the shipment row; the booking's answer arrives and
    # its mark waits for that row; the cancellation commits; the mark finds it cancelling.
    async with sessions.begin() as session:
        await handler(request.event, MessageContext(session, request.envelope))
        booking = asyncio.create_task(stepped.effect(created))
        await eventually(lambda: _waiting_on_a_lock(sessions), 10, "the mark waits for the row")
    stepped.handled.add(request.key)
    await booking
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending
    assert ending.parcels == ("voided",)
    assert "fulfillment.ShipmentShipped" not in await _shipment_events(sessions, paid)


async def test_a_cancel_just_after_the_decision_to_ship_is_rejected_and_nothing_refunded(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    # Fulfillment shipped; the orders saga has not heard of it (the order is still confirmed).
    created = await stepped.run(until=lambda d: d.consumer.name == "orders-saga")
    assert created is not None
    while fulfillment := [d for d in await stepped.pending() if d.consumer.name == "fulfillment"]:
        await stepped.deliver(fulfillment[0])

    assert await cancel(sessions, paid.order_id, paid.customer) == "cancellation_requested"
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert shipped_and_not_refunded(ending, stock=STOCK, quantity=QUANTITY), ending
    assert (await _order_events(sessions, paid))[-3:] == [
        "orders.OrderCancellationRequested",
        "orders.OrderCancellationRejected",
        "orders.OrderShipped",
    ]


async def test_a_parcel_the_carrier_took_before_the_void_ships_and_the_cancel_is_rejected(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    created = await stepped.run(until=lambda d: d.name == "fulfillment:ShipmentCreated")
    assert created is not None
    await stepped.handle(created)
    await cancel(sessions, paid.order_id, paid.customer)
    request = await stepped.next("fulfillment:OrderCancellationRequested")
    await stepped.handle(request)  # cancelling: the void is recorded
    # The label was printed and the carrier's driver took the parcel before our void arrived.
    reference = str(created.event.shipment_id)  # type: ignore[attr-defined]
    carrier.state.book(reference, str(paid.order_id))
    carrier.state.hand_over(reference)

    await stepped.effect(created)  # the booking (the same parcel), then the void: refused
    await stepped.effect(request)
    await stepped.run()

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert shipped_and_not_refunded(ending, stock=STOCK, quantity=QUANTITY), ending
    assert "fulfillment.ShipmentCancelled" not in await _shipment_events(sessions, paid)
    assert (await _order_events(sessions, paid))[-2:] == [
        "orders.OrderCancellationRejected",
        "orders.OrderShipped",
    ]


async def test_a_cancel_after_the_order_shipped_is_refused_too_late(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    await stepped.run()

    with pytest.raises(Conflict) as refused:
        await cancel(sessions, paid.order_id, paid.customer)

    assert refused.value.code == "too_late_to_cancel"
    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert shipped_and_not_refunded(ending, stock=STOCK, quantity=QUANTITY), ending


async def test_a_cancel_after_delivery_is_refused_too_late(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    carrier.state.behaviour = Behaviour(deliver_after_seconds=0)
    await stepped.run()
    report = await track_deliveries(sessions, WatchedCarrier(sessions, carrier.url))
    assert report.delivered >= 1
    await stepped.run()

    with pytest.raises(Conflict) as refused:
        await cancel(sessions, paid.order_id, paid.customer)

    assert refused.value.code == "too_late_to_cancel"
    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert ending.order == "delivered"
    assert shipped_and_not_refunded(ending, stock=STOCK, quantity=QUANTITY), ending


async def test_asking_again_answers_the_same_and_changes_nothing(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order

    first = await cancel(sessions, paid.order_id, paid.customer)
    again = await cancel(sessions, paid.order_id, paid.customer)
    await stepped.run()
    after = await cancel(sessions, paid.order_id, paid.customer)

    assert [first, again, after] == ["cancellation_requested"] * 2 + ["cancelled"]
    events = await _order_events(sessions, paid)
    assert events.count("orders.OrderCancellationRequested") == 1
    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending


async def test_a_redelivered_cancelled_shipment_refunds_once(
    sessions: Sessions, carrier: FakeCarrier, stepped: SteppedSaga, order: tuple[PaidOrder, str]
) -> None:
    paid, sku = order
    await cancel(sessions, paid.order_id, paid.customer)
    cancelled = await stepped.run(until=lambda d: d.name == "orders-saga:ShipmentCancelled")
    assert cancelled is not None

    await stepped.deliver(cancelled)
    await stepped.effect(cancelled)  # delivered again: a retry tier, a replay

    ending = await ending_of(sessions, carrier.state, paid.order_id, sku)
    assert cancelled_and_not_shipped(ending, stock=STOCK), ending


async def _order_events(sessions: Sessions, paid: PaidOrder) -> list[str]:
    """The order's own events (catalog and payment events share its key)."""
    return [t for t in await event_types(sessions, paid.order_id) if t.startswith("orders.")]


async def _shipment_events(sessions: Sessions, paid: PaidOrder) -> list[str]:
    async with sessions() as session:
        shipment_id = await session.scalar(
            text("SELECT id FROM fulfillment.shipments WHERE order_id = :id"),
            {"id": paid.order_id},
        )
    return await event_types(sessions, shipment_id)


async def _waiting_on_a_lock(sessions: Sessions) -> bool:
    async with sessions() as session:
        return bool(await session.scalar(WAITING_ON_A_LOCK))

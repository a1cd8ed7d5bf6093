"""The fulfillment saga on the real pair: shipped and delivered, compensation, carrier outages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import retry_topic
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import topic_size
from tests.integration.saga.orders import cancel, confirmed_order, shipment_of, status_of
from tests.integration.saga.support import Saga
from tests.support.outbox import event_types
from tests.support.polling import eventually
from tests.support.shop import available, new_product

Sessions = async_sessionmaker[AsyncSession]


async def test_the_saga_drives_a_confirmed_order_to_shipped_then_delivered(
    sessions: Sessions, saga: Saga
) -> None:
    sku = await new_product(sessions, stock=5)
    order_id = await confirmed_order(sessions, sku)

    async def reached(status: str) -> bool:
        return await status_of(sessions, order_id) == status

    await eventually(lambda: reached("shipped"), timeout=60, what="order shipped")
    shipment = await shipment_of(sessions, order_id)
    assert shipment is not None
    assert shipment["carrier"] == "fakecarrier"
    assert str(shipment["tracking_number"]).startswith("FC")
    await eventually(lambda: reached("delivered"), timeout=60, what="order delivered")
    assert (await event_types(sessions, order_id))[-3:] == [
        "orders.OrderFulfilling",
        "orders.OrderShipped",
        "orders.OrderDelivered",
    ]


async def test_a_cancellation_before_shipping_cancels_the_shipment_and_restocks(
    sessions: Sessions, saga: Saga
) -> None:
    saga.carrier.state.behaviour.failure_mode = "error"  # nothing can be booked: it stays put
    saga.carrier.state.behaviour.failing_operations = ["book"]
    sku = await new_product(sessions, stock=5)
    order_id = await confirmed_order(sessions, sku, quantity=2)
    assert await available(sessions, sku) == 3

    async def shipment_in(status: str) -> bool:
        shipment = await shipment_of(sessions, order_id)
        return shipment is not None and shipment["status"] == status

    await eventually(lambda: shipment_in("created"), timeout=60, what="shipment created")
    await cancel(sessions, order_id)
    await eventually(lambda: shipment_in("cancelled"), timeout=60, what="shipment cancelled")

    async def restocked() -> bool:
        return await available(sessions, sku) == 5

    await eventually(restocked, timeout=30, what="stock given back")
    saga.carrier.state.behaviour.failure_mode = "none"  # the booking retry now finds it cancelled
    assert await status_of(sessions, order_id) == "cancelled"


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

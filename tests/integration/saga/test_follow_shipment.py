"""``orders.follow_shipment``: forward only, catching up skipped steps, idempotent."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.api import OrderStatus, follow_shipment
from tests.integration.saga.orders import confirmed_order, status_of
from tests.support.outbox import event_types
from tests.support.shop import new_product

Sessions = async_sessionmaker[AsyncSession]
S = OrderStatus


async def _follow(sessions: Sessions, order_id: uuid.UUID, reached: OrderStatus) -> bool:
    async with sessions.begin() as session:
        return await follow_shipment(session, order_id, uuid.uuid4(), reached)


async def test_a_milestone_that_overtook_the_others_takes_the_skipped_steps(
    sessions: Sessions,
) -> None:
    order_id = await confirmed_order(sessions, await new_product(sessions, stock=3), quantity=1)
    assert await _follow(sessions, order_id, S.DELIVERED)
    assert await status_of(sessions, order_id) == "delivered"
    assert (await event_types(sessions, order_id))[-3:] == [
        "orders.OrderFulfilling",
        "orders.OrderShipped",
        "orders.OrderDelivered",
    ]


async def test_stale_and_duplicate_milestones_change_nothing(sessions: Sessions) -> None:
    order_id = await confirmed_order(sessions, await new_product(sessions, stock=3), quantity=1)
    assert await _follow(sessions, order_id, S.SHIPPED)
    events = await event_types(sessions, order_id)
    assert not await _follow(sessions, order_id, S.SHIPPED)  # duplicate
    assert not await _follow(sessions, order_id, S.FULFILLING)  # stale
    assert await event_types(sessions, order_id) == events
    assert await status_of(sessions, order_id) == "shipped"

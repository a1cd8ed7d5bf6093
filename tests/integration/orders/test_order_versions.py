"""Every order update checks the version it read, and writes its outbox row with it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.api import Order, OrderLine, OrderStatus, OrdersUnitOfWork
from domains.shared import Conflict

Sessions = async_sessionmaker[AsyncSession]


async def _placed(sessions: Sessions) -> Order:
    order = Order.place(uuid.uuid4(), "EUR", (OrderLine("SKU-1", 1, 500),))
    async with OrdersUnitOfWork(sessions) as uow:
        await uow.orders.add(order)
        await uow.commit()
    return order


async def test_a_transition_saves_the_new_version_and_its_event_together(
    sessions: Sessions,
) -> None:
    order = await _placed(sessions)

    async with OrdersUnitOfWork(sessions) as uow:
        loaded = await uow.orders.get(order.id)
        assert loaded is not None
        loaded.confirm("auth_1")
        await uow.commit()

    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT status, version FROM orders.orders WHERE id = :id"), {"id": order.id}
            )
        ).one()
        events = (
            await session.execute(
                text(
                    "SELECT event_type, aggregate_version FROM outbox.events "
                    "WHERE key = :k ORDER BY id"
                ),
                {"k": str(order.id)},
            )
        ).all()
    assert (row.status, row.version) == ("confirmed", 2)
    assert [tuple(e) for e in events] == [
        ("orders.OrderPlaced", 1),
        ("orders.OrderConfirmed", 2),
    ]


async def test_a_concurrent_update_loses_with_concurrent_update_and_writes_nothing(
    sessions: Sessions,
) -> None:
    order = await _placed(sessions)
    first, second = OrdersUnitOfWork(sessions), OrdersUnitOfWork(sessions)

    async with first, second:
        mine = await first.orders.get(order.id)
        theirs = await second.orders.get(order.id)
        assert mine is not None
        assert theirs is not None
        mine.confirm("auth_1")
        await first.commit()
        theirs.cancel("customer_request")
        with pytest.raises(Conflict) as lost:
            await second.commit()

    assert lost.value.code == "concurrent_update"
    async with OrdersUnitOfWork(sessions) as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert stored.status is OrderStatus.CONFIRMED

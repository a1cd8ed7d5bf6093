"""A unit of work that joins a caller's transaction writes into it and leaves the commit there."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.api import Order, OrderLine, OrdersUnitOfWork
from tests.support.outbox import versioned_event_types

Sessions = async_sessionmaker[AsyncSession]


def _order() -> Order:
    return Order.place(uuid.uuid4(), "EUR", (OrderLine("SKU-1", 1, 500),))


async def _stored(sessions: Sessions, order_id: uuid.UUID) -> Order | None:
    async with OrdersUnitOfWork(sessions) as uow:
        return await uow.orders.get(order_id)


async def test_the_owner_commits_what_a_joined_unit_of_work_wrote(sessions: Sessions) -> None:
    order = _order()

    async with sessions() as session, session.begin():
        async with OrdersUnitOfWork.joining(session) as uow:
            await uow.orders.add(order)
            await uow.commit()
        assert session.in_transaction()  # still open: the owner decides

    assert await _stored(sessions, order.id) is not None
    assert await versioned_event_types(sessions, order.id) == [("orders.OrderPlaced", 1)]


async def test_the_owner_rolls_back_what_a_joined_unit_of_work_committed(
    sessions: Sessions,
) -> None:
    order = _order()

    async with sessions() as session:
        async with OrdersUnitOfWork.joining(session) as uow:
            await uow.orders.add(order)
            await uow.commit()
        await session.rollback()

    assert await _stored(sessions, order.id) is None
    assert await versioned_event_types(sessions, order.id) == []


async def test_leaving_a_joined_unit_of_work_with_unwritten_events_is_refused(
    sessions: Sessions,
) -> None:
    order = _order()

    async def forget_to_commit(session: AsyncSession) -> None:
        async with OrdersUnitOfWork.joining(session) as uow:
            await uow.orders.add(order)

    async with sessions() as session:
        with pytest.raises(RuntimeError, match="left without commit"):
            await forget_to_commit(session)

"""State and outbox rows commit, or roll back, together."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.api import Order, OrderLine, OrdersUnitOfWork, PlaceOrder, place_order
from domains.shared import InvalidInput
from orderflow.settings import Settings
from orderflow.wiring.connections import running_producer

LINES = (OrderLine("SKU-1", 2, 1999),)


async def _rows(sessions: async_sessionmaker[AsyncSession], order_id: uuid.UUID) -> tuple[int, int]:
    async with sessions() as session:
        orders = await session.scalar(
            text("SELECT count(*) FROM orders.orders WHERE id = :id"), {"id": order_id}
        )
        events = await session.scalar(
            text("SELECT count(*) FROM outbox.events WHERE key = :key"), {"key": str(order_id)}
        )
    return int(orders or 0), int(events or 0)


async def test_placing_an_order_commits_the_order_and_its_event_together(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    order = await place_order(PlaceOrder(uuid.uuid4(), "EUR", LINES), OrdersUnitOfWork(sessions))

    assert await _rows(sessions, order.id) == (1, 1)
    async with sessions() as session:
        row = (
            await session.execute(
                text(
                    "SELECT topic, event_type, aggregate_version, headers, EXISTS ("
                    "SELECT FROM outbox.pending AS p WHERE p.id = e.id) AS pending "
                    "FROM outbox.events AS e WHERE key = :key"
                ),
                {"key": str(order.id)},
            )
        ).one()
    # On the wire: in the deployment's namespace, with its event source.
    assert row.topic == f"{settings.deployment.topic_prefix}orders.order.v1"
    assert row.headers["ce_source"] == "/orderflow/orders"
    assert row.event_type == "orders.OrderPlaced"
    assert row.aggregate_version == 1
    assert row.pending  # waits for the relay
    assert row.headers["ce_subject"] == str(order.id)
    # Stamped by the writer, in its transaction: the relay publishes it as written.
    assert row.headers["ce_producerversion"] == running_producer().stamp()


async def test_a_unit_of_work_left_without_commit_writes_neither(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow = OrdersUnitOfWork(sessions)
    order = Order.place(uuid.uuid4(), "EUR", LINES)

    async def fail_after_insert() -> None:
        async with uow:
            await uow.orders.add(order)
            await uow.session.flush()
            raise RuntimeError("the request failed after the insert")

    with pytest.raises(RuntimeError):
        await fail_after_insert()

    assert await _rows(sessions, order.id) == (0, 0)


async def test_an_event_failing_its_schema_rolls_the_state_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow = OrdersUnitOfWork(sessions)
    # A line the domain never produces (a lowercase currency): the event schema refuses it.
    order = Order.place(uuid.uuid4(), "EUR", LINES)
    order.events[0] = type(order.events[0])(**{**vars(order.events[0]), "currency": "eur"})

    async def add_and_commit() -> None:
        async with uow:
            await uow.orders.add(order)
            await uow.commit()

    with pytest.raises(ValidationError):
        await add_and_commit()

    assert await _rows(sessions, order.id) == (0, 0)


async def test_a_refused_order_writes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    customer = uuid.uuid4()

    with pytest.raises(InvalidInput):
        await place_order(PlaceOrder(customer, "XXX", LINES), OrdersUnitOfWork(sessions))

    async with sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM orders.orders WHERE customer_id = :c"), {"c": customer}
        )
    assert count == 0

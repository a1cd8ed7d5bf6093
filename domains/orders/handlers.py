"""Command handlers of the orders domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domains.orders.lines import OrderLine
from domains.orders.model import Order
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.shared import NotFound


@dataclass(frozen=True)
class PlaceOrder:
    """Command: place an order for ``customer_id``."""

    customer_id: uuid.UUID
    currency: str
    lines: tuple[OrderLine, ...]


async def place_order(command: PlaceOrder, uow: OrdersUnitOfWork) -> Order:
    """Create the order and its ``OrderPlaced`` outbox row in one transaction."""
    async with uow:
        order = Order.place(command.customer_id, command.currency, command.lines)
        await uow.orders.add(order)
        await uow.commit()
    return order


async def get_order(order_id: uuid.UUID, uow: OrdersUnitOfWork) -> Order:
    """The order, or ``NotFound``."""
    async with uow:
        order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", code="order_not_found")
    return order

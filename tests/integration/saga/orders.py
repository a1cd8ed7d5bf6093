"""Orders for saga tests, made through the domains' public surfaces, and how they ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog import api as catalog
from domains.identity.api import Principal
from domains.orders import api as orders
from domains.orders.api import Checkout, OrdersServices
from domains.payments import api as payments

Sessions = async_sessionmaker[AsyncSession]


async def confirmed_order(sessions: Sessions, sku: str, quantity: int = 2) -> uuid.UUID:
    """An order whose stock is reserved and committed and which is confirmed, with no payment
    (as an upstream service's order would be)."""
    line = orders.OrderLine(sku=sku, quantity=quantity, unit_price_minor=900)
    order = await orders.place_order(
        orders.PlaceOrder(uuid.uuid4(), "EUR", (line,)), orders.OrdersUnitOfWork(sessions)
    )
    async with orders.OrdersUnitOfWork(sessions) as uow:
        await catalog.reserve_stock(uow.session, order.id, [(sku, quantity)])
        await catalog.commit_stock(uow.session, order.id)
        loaded = await uow.orders.get(order.id)
        assert loaded is not None
        loaded.confirm(f"auth_{order.id.hex[:8]}")
        await uow.commit()
    return order.id


@dataclass(frozen=True)
class PaidOrder:
    """An order bought through checkout: paid, its stock committed."""

    order_id: uuid.UUID
    customer: Principal


async def paid_order(
    sessions: Sessions, provider: payments.PaymentProvider, sku: str, quantity: int = 2
) -> PaidOrder:
    """Check out ``quantity`` of ``sku`` with a card the fake provider authorizes."""
    customer = Principal(uuid.uuid4(), frozenset({"customer"}))
    services = OrdersServices.create(sessions, provider)
    command = Checkout(customer.user_id, str(uuid.uuid4()), "EUR", ((sku, quantity),), "tok_visa")
    result = await services.checkout.checkout(command)
    assert result.answer.outcome == "confirmed", result.answer
    assert result.answer.order_id is not None
    return PaidOrder(result.answer.order_id, customer)


async def cancel(sessions: Sessions, order_id: uuid.UUID, customer: Principal | None = None) -> str:
    """Cancel as the customer would (an admin when no customer is given); the status after."""
    principal = customer or Principal(uuid.uuid4(), frozenset({"admin"}))
    uow = partial(orders.OrdersUnitOfWork, sessions)
    order = await orders.cancel_order(order_id, principal, uow)
    return order.status.value


async def status_of(sessions: Sessions, order_id: uuid.UUID) -> str:
    """The stored status of the order."""
    async with sessions() as session:
        sql = "SELECT status FROM orders.orders WHERE id = :id"
        return str(await session.scalar(text(sql), {"id": order_id}))


async def shipment_of(sessions: Sessions, order_id: uuid.UUID) -> dict[str, object] | None:
    """The order's shipment row, if any."""
    async with sessions() as session:
        sql = "SELECT * FROM fulfillment.shipments WHERE order_id = :id"
        row = (await session.execute(text(sql), {"id": order_id})).mappings().first()
    return dict(row) if row else None


async def refunds_of(sessions: Sessions, order_id: uuid.UUID) -> int:
    """How many refunds the order's payment has."""
    async with sessions() as session:
        sql = (
            "SELECT count(*) FROM payments.refunds r JOIN payments.intents i "
            "ON i.id = r.intent_id WHERE i.order_id = :id"
        )
        return int(await session.scalar(text(sql), {"id": order_id}) or 0)

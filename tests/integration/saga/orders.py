"""Orders for saga tests, made through the domains' public surfaces."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from domains.catalog import api as catalog
from domains.orders import api as orders
from domains.shared import ConcurrentUpdate

Sessions = async_sessionmaker[AsyncSession]


async def confirmed_order(sessions: Sessions, sku: str, quantity: int = 2) -> uuid.UUID:
    """An order whose stock is reserved and committed and which is confirmed (as checkout does)."""
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


async def cancel(sessions: Sessions, order_id: uuid.UUID) -> None:
    """Cancel the order (the refund at the provider is not what these tests are about).

    Like a client answered 409 ``concurrent_update``, reload and retry when the saga moved the
    order on meanwhile (``ShipmentCreated`` makes it ``fulfilling`` at any moment).
    """
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(ConcurrentUpdate), stop=stop_after_attempt(5), reraise=True
    )
    async for attempt in retrying:
        with attempt:
            async with orders.OrdersUnitOfWork(sessions) as uow:
                order = await uow.orders.get(order_id)
                assert order is not None
                order.cancel("customer_request")
                await uow.commit()


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

"""Concurrent reservations for the last units never oversell (real connections, real locks)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog.api import OutOfStock, reserve_stock
from tests.integration.catalog.stock_levels import stock_of
from tests.support.shop import MakeProduct

CONTENDERS = 20


async def _race(
    sessions: async_sessionmaker[AsyncSession], items: list[list[tuple[str, int]]]
) -> list[BaseException | None]:
    start = asyncio.Event()

    async def attempt(basket: list[tuple[str, int]]) -> None:
        async with sessions() as session, session.begin():
            await session.execute(text("SELECT 1"))  # hold a connection before the start
            await start.wait()
            await reserve_stock(session, uuid.uuid4(), basket)
            await asyncio.sleep(0.01)  # keep the row locked a moment: others must wait

    tasks = [asyncio.create_task(attempt(basket)) for basket in items]
    await asyncio.sleep(0.2)
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
    return list(results)


async def test_twenty_buyers_for_the_last_unit_exactly_one_wins(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    sku = (await make_product(stock=1)).product.sku

    results = await _race(sessions, [[(sku, 1)]] * CONTENDERS)

    winners = [r for r in results if r is None]
    assert len(winners) == 1
    assert all(isinstance(r, OutOfStock) and r.sku == sku for r in results if r is not None)
    assert await stock_of(sessions, sku) == (0, 1)
    async with sessions() as session:
        reserved = await session.scalar(
            text(
                "SELECT count(*) FROM outbox.events e JOIN catalog.reservation_items i "
                "ON e.key = i.reservation_id::text WHERE i.sku = :sku"
            ),
            {"sku": sku},
        )
    assert reserved == 1


async def test_baskets_locking_skus_in_opposite_orders_do_not_deadlock(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    a, b = (await make_product(stock=100)).product.sku, (await make_product(stock=100)).product.sku
    baskets = [[(a, 1), (b, 1)] if n % 2 else [(b, 1), (a, 1)] for n in range(CONTENDERS)]

    results = await _race(sessions, baskets)

    assert results == [None] * CONTENDERS
    assert await stock_of(sessions, a) == (80, 20)
    assert await stock_of(sessions, b) == (80, 20)

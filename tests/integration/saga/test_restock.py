"""``catalog.restock_cancelled_order``: a cancelled order's stock comes back exactly once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog import api as catalog
from tests.support.shop import available, new_product

Sessions = async_sessionmaker[AsyncSession]


async def _restock(sessions: Sessions, reservation_id: uuid.UUID) -> bool:
    async with sessions.begin() as session:
        return await catalog.restock_cancelled_order(session, reservation_id)


async def _reserve(sessions: Sessions, sku: str, *, commit: bool) -> uuid.UUID:
    reservation_id = uuid.uuid4()
    async with sessions.begin() as session:
        await catalog.reserve_stock(session, reservation_id, [(sku, 2)])
        if commit:
            await catalog.commit_stock(session, reservation_id)
    return reservation_id


async def test_committed_stock_of_a_cancelled_order_is_returned_once(sessions: Sessions) -> None:
    sku = await new_product(sessions, stock=5)
    reservation_id = await _reserve(sessions, sku, commit=True)
    assert await available(sessions, sku) == 3
    assert await _restock(sessions, reservation_id)
    assert not await _restock(sessions, reservation_id)
    assert await available(sessions, sku) == 5


async def test_held_stock_is_released_and_released_stock_is_left_alone(sessions: Sessions) -> None:
    sku = await new_product(sessions, stock=5)
    reservation_id = await _reserve(sessions, sku, commit=False)
    assert await _restock(sessions, reservation_id)
    async with sessions.begin() as session:
        await catalog.release_stock(session, reservation_id)  # already released: a no-op
    assert not await _restock(sessions, reservation_id)
    assert await available(sessions, sku) == 5

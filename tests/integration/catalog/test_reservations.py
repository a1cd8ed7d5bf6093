"""Reservations run in the caller's transaction: stock, reservation and event commit together."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.catalog.api import (
    OutOfStock,
    QuotedLine,
    commit_stock,
    quote,
    release_stock,
    reserve_stock,
)
from domains.shared import Conflict, InvalidInput, NotFound
from tests.integration.catalog.stock_levels import stock_of
from tests.support.outbox import outbox_rows, versioned_event_types
from tests.support.shop import MakeProduct

Settle = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


async def _reserve(
    sessions: async_sessionmaker[AsyncSession], items: list[tuple[str, int]]
) -> uuid.UUID:
    reservation_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        await reserve_stock(session, reservation_id, items)
    return reservation_id


async def test_a_reservation_takes_stock_and_writes_its_event_in_the_callers_commit(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug, tea = (await make_product(stock=5)).product, (await make_product(stock=5)).product

    reservation_id = await _reserve(sessions, [(mug.sku, 2), (tea.sku, 1), (mug.sku, 1)])

    assert await stock_of(sessions, mug.sku) == (2, 3)
    assert await stock_of(sessions, tea.sku) == (4, 1)
    (row,) = await outbox_rows(sessions, reservation_id)
    assert (row.event_type, row.aggregate_version) == ("catalog.InventoryReserved", 1)
    items = {i["sku"]: i["quantity"] for i in json.loads(row.payload)["items"]}
    assert items == {mug.sku: 3, tea.sku: 1}


async def test_a_rolled_back_caller_leaves_neither_stock_change_nor_event(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug = (await make_product(stock=5)).product
    reservation_id = uuid.uuid4()

    async with sessions() as session:
        await reserve_stock(session, reservation_id, [(mug.sku, 2)])
        await session.rollback()

    assert await stock_of(sessions, mug.sku) == (5, 0)
    assert await outbox_rows(sessions, reservation_id) == []


async def test_out_of_stock_names_the_sku_and_undoes_the_other_items(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    plenty, scarce = (await make_product(stock=5)).product, (await make_product(stock=1)).product
    reservation_id = uuid.uuid4()

    async with sessions() as session, session.begin():
        with pytest.raises(OutOfStock) as refused:
            await reserve_stock(session, reservation_id, [(plenty.sku, 2), (scarce.sku, 2)])
        # The savepoint rolled back the first item; the caller's transaction still works.
        assert await session.scalar(text("SELECT 1")) == 1

    assert refused.value.code == "out_of_stock"
    assert refused.value.sku == scarce.sku
    assert isinstance(refused.value, Conflict)
    assert await stock_of(sessions, plenty.sku) == (5, 0)
    assert await outbox_rows(sessions, reservation_id) == []


@pytest.mark.parametrize(("active", "code"), [(False, "sku_inactive"), (None, "unknown_sku")])
async def test_unknown_and_inactive_skus_cannot_be_reserved(
    sessions: async_sessionmaker[AsyncSession],
    make_product: MakeProduct,
    active: bool | None,
    code: str,
) -> None:
    sku = "NO-SUCH-SKU" if active is None else (await make_product(active=active)).product.sku

    with pytest.raises((NotFound, InvalidInput)) as refused:
        await _reserve(sessions, [(sku, 1)])

    assert refused.value.code == code


async def test_release_returns_the_stock_once(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug = (await make_product(stock=3)).product
    reservation_id = await _reserve(sessions, [(mug.sku, 2)])

    for _ in range(2):
        async with sessions() as session, session.begin():
            await release_stock(session, reservation_id)

    assert await stock_of(sessions, mug.sku) == (3, 0)
    assert await versioned_event_types(sessions, reservation_id) == [
        ("catalog.InventoryReserved", 1),
        ("catalog.InventoryReleased", 2),
    ]


@pytest.mark.parametrize(
    ("settle", "event_type", "after"),
    [
        (commit_stock, "catalog.InventoryCommitted", 3),
        (release_stock, "catalog.InventoryReleased", 5),
    ],
)
async def test_a_held_reservation_of_several_skus_settles_in_one_statement(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    make_product: MakeProduct,
    settle: Settle,
    event_type: str,
    after: int,
) -> None:
    mug, tea = (await make_product(stock=5)).product, (await make_product(stock=5)).product
    reservation_id = await _reserve(sessions, [(tea.sku, 2), (mug.sku, 2)])
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with sessions() as session, session.begin():
            await settle(session, reservation_id)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert len([s for s in statements if "INSERT INTO outbox." not in s]) == 1, statements
    assert await stock_of(sessions, mug.sku) == (after, 0)
    assert await stock_of(sessions, tea.sku) == (after, 0)
    rows = await outbox_rows(sessions, reservation_id)
    assert [(r.event_type, r.aggregate_version) for r in rows][-1] == (event_type, 2)
    items = {i["sku"]: i["quantity"] for i in json.loads(rows[-1].payload)["items"]}
    assert items == {mug.sku: 2, tea.sku: 2}


async def test_commit_makes_the_sale_final_once_and_then_release_is_refused(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug = (await make_product(stock=3)).product
    reservation_id = await _reserve(sessions, [(mug.sku, 2)])

    for _ in range(2):
        async with sessions() as session, session.begin():
            await commit_stock(session, reservation_id)
    async with sessions() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await release_stock(session, reservation_id)

    assert refused.value.code == "reservation_committed"
    assert await stock_of(sessions, mug.sku) == (1, 0)
    assert await versioned_event_types(sessions, reservation_id) == [
        ("catalog.InventoryReserved", 1),
        ("catalog.InventoryCommitted", 2),
    ]


async def test_unknown_and_reused_reservation_ids_are_refused(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug = (await make_product(stock=3)).product
    reservation_id = await _reserve(sessions, [(mug.sku, 1)])

    async with sessions() as session:
        with pytest.raises(NotFound) as unknown:
            await release_stock(session, uuid.uuid4())
        with pytest.raises(Conflict) as reused:
            await reserve_stock(session, reservation_id, [(mug.sku, 1)])

    assert (unknown.value.code, reused.value.code) == (
        "reservation_not_found",
        "reservation_exists",
    )


async def test_a_quote_uses_current_prices(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    mug = (await make_product(price_minor=1299)).product
    hat = (await make_product(price_minor=2000, currency="USD")).product

    async with sessions() as session:
        priced = await quote(session, [(mug.sku, 2)], "EUR")
        with pytest.raises(InvalidInput) as mismatch:
            await quote(session, [(mug.sku, 1), (hat.sku, 1)], "EUR")

    assert priced.lines == (QuotedLine(mug.sku, 2, 1299),)
    assert priced.total_minor == 2598
    assert mismatch.value.code == "currency_mismatch"

"""Every catalog change commits together with its outbox row, or not at all."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog.api import (
    AdjustStock,
    CatalogUnitOfWork,
    ChangePrice,
    CreateProduct,
    UpdateProduct,
    adjust_stock,
    change_price,
    create_product,
    get_product,
    list_products,
    update_product,
)
from domains.shared import Conflict, NotFound
from orderflow.settings import Settings
from tests.integration.catalog.stock_levels import stock_of
from tests.support.outbox import outbox_rows, versioned_event_types
from tests.support.shop import MakeProduct


async def test_creating_a_product_commits_it_with_its_created_and_stock_events(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct, settings: Settings
) -> None:
    view = await make_product(stock=7)
    prefix = settings.deployment.topic_prefix

    assert view.available == 7
    rows = await outbox_rows(sessions, view.product.id)
    assert [(r.event_type, r.aggregate_version, r.topic) for r in rows] == [
        ("catalog.ProductCreated", 1, f"{prefix}catalog.product.v1"),
        ("catalog.StockAdjusted", 2, f"{prefix}catalog.stock.v1"),
    ]
    assert json.loads(rows[0].payload)["price_minor"] == 1299


async def test_update_price_and_stock_changes_each_write_their_event(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    view = await make_product(stock=1)
    uow = CatalogUnitOfWork(sessions)
    product_id = view.product.id

    await update_product(UpdateProduct(product_id, name="Renamed", active=False), uow)
    await change_price(ChangePrice(product_id, 1499, "EUR"), uow)
    after = await adjust_stock(AdjustStock(product_id, 4, "delivery"), uow)

    assert (after.product.name, after.product.price_minor, after.product.version) == (
        "Renamed",
        1499,
        3,
    )
    assert after.available == 5
    assert await versioned_event_types(sessions, product_id) == [
        ("catalog.ProductCreated", 1),
        ("catalog.StockAdjusted", 2),
        ("catalog.ProductUpdated", 2),
        ("catalog.PriceChanged", 3),
        ("catalog.StockAdjusted", 3),
    ]


async def test_a_refused_change_writes_neither_state_nor_event(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    view = await make_product(stock=2)

    with pytest.raises(Conflict) as refused:
        await adjust_stock(
            AdjustStock(view.product.id, -3, "stock take"), CatalogUnitOfWork(sessions)
        )

    assert refused.value.code == "stock_below_zero"
    assert await stock_of(sessions, view.product.sku) == (2, 0)
    assert len(await outbox_rows(sessions, view.product.id)) == 2


async def _fail_after_a_price_change(uow: CatalogUnitOfWork, product_id: uuid.UUID) -> None:
    async with uow:
        product = await uow.products.get(product_id)
        assert product is not None
        product.change_price(1, "EUR")
        await uow.products.save(product)
        await uow.session.flush()
        raise RuntimeError("the request failed after the update")


async def test_a_unit_of_work_left_without_commit_writes_neither(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    view = await make_product()
    uow = CatalogUnitOfWork(sessions)

    with pytest.raises(RuntimeError):
        await _fail_after_a_price_change(uow, view.product.id)

    assert (await get_product(view.product.id, uow)).product.price_minor == 1299
    assert len(await outbox_rows(sessions, view.product.id)) == 2


async def test_a_duplicate_sku_is_a_conflict_and_writes_nothing(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    view = await make_product()
    duplicate = CreateProduct(view.product.sku, "Other", "", 1, "EUR")

    with pytest.raises(Conflict) as refused:
        await create_product(duplicate, CatalogUnitOfWork(sessions))

    assert refused.value.code == "sku_taken"
    async with sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM catalog.products WHERE sku = :s"), {"s": view.product.sku}
        )
    assert count == 1


async def test_unknown_products_are_not_found(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(NotFound) as refused:
        await change_price(ChangePrice(uuid.uuid4(), 1, "EUR"), CatalogUnitOfWork(sessions))

    assert refused.value.code == "product_not_found"


async def test_browsing_pages_through_active_products_by_sku(
    sessions: async_sessionmaker[AsyncSession], make_product: MakeProduct
) -> None:
    prefix = f"PAGE{uuid.uuid4().hex[:6]}"
    made = [await make_product(prefix=prefix) for _ in range(3)]
    await make_product(prefix=prefix, active=False)
    uow = CatalogUnitOfWork(sessions)
    start = f"{prefix}-"

    first = await list_products(uow, after=start, limit=2)
    second = await list_products(uow, after=first.next_after, limit=2)

    seen = [
        v.product.sku for v in (*first.items, *second.items) if v.product.sku.startswith(prefix)
    ]
    assert seen == sorted(v.product.sku for v in made)
    assert first.next_after is not None


async def test_racing_creations_of_one_sku_give_one_product_and_one_conflict(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sku = f"RACE-{uuid.uuid4().hex[:8]}"
    command = CreateProduct(sku, "Racer", "", 1, "EUR")

    results = await asyncio.gather(
        *(create_product(command, CatalogUnitOfWork(sessions)) for _ in range(5)),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 4
    assert all(isinstance(r, Conflict) and r.code == "sku_taken" for r in refused)

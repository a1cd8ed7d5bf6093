"""Many shoppers, one unit: exactly one order is confirmed, nobody oversells."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog.pricing import MAX_QUANTITY
from orderflow.settings import Settings
from tests.e2e.checkout.checks import orders_of
from tests.support.shop import available, cart, key, new_product, shopper_at

SHOPPERS = 10


async def test_parallel_checkouts_for_the_last_unit_sell_it_once(
    api: str, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    sku = await new_product(sessions, stock=1)
    async with AsyncExitStack() as stack:
        shoppers = [
            await stack.enter_async_context(shopper_at(api, sessions, settings))
            for _ in range(SHOPPERS)
        ]
        responses = await asyncio.gather(
            *(s.client.post("/v1/checkout", json=cart(sku), headers=key()) for s in shoppers)
        )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, [r.text for r in responses]
    assert statuses.count(409) == SHOPPERS - 1
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"out_of_stock"}
    assert await available(sessions, sku) == 0


async def test_a_cart_refused_for_its_last_sku_reserves_nothing(
    api: str, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # checkout reserves without a savepoint: the refusal must roll back the SKU taken first
    plenty = await new_product(sessions, stock=5)
    scarce = await new_product(sessions, stock=1)
    while scarce < plenty:  # stock is taken in SKU order: make ``plenty`` go first
        scarce = await new_product(sessions, stock=1)
    body = cart(plenty, 2)
    body["items"] = [{"sku": scarce, "quantity": 2}, {"sku": plenty, "quantity": 2}]
    async with shopper_at(api, sessions, settings) as shopper:
        response = await shopper.client.post("/v1/checkout", json=body, headers=key())
        assert await orders_of(sessions, shopper.user_id) == 0

    assert (response.status_code, response.json()["code"]) == (409, "out_of_stock")
    assert (await available(sessions, plenty), await available(sessions, scarce)) == (5, 1)


async def test_one_skus_lines_adding_up_past_a_lines_limit_are_a_documented_422(
    api: str, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    sku = await new_product(sessions, stock=MAX_QUANTITY * 2)
    lines = [{"sku": sku, "quantity": MAX_QUANTITY}, {"sku": sku, "quantity": 1}]
    body = {**cart(sku), "items": lines}
    async with shopper_at(api, sessions, settings) as shopper:
        response = await shopper.client.post("/v1/checkout", json=body, headers=key())
        documented = (await shopper.client.get("/openapi.json")).json()
        assert await orders_of(sessions, shopper.user_id) == 0

    assert (response.status_code, response.json()["code"]) == (422, "bad_quantity")
    answers = documented["paths"]["/v1/checkout"]["post"]["responses"]["422"]
    assert "bad_quantity" in json.dumps(answers)
    assert await available(sessions, sku) == MAX_QUANTITY * 2

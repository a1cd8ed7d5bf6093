"""``GET /v1/products/{sku}/recommendations`` is a non-critical read: when the model cannot
answer (table dropped or locked, stale, nothing known) the route answers best sellers, marked
as a fallback with the reason and counted, never an error."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from consumers.recommendations import Freshness, record_freshness
from consumers.recommendations.handlers import HANDLERS
from consumers.recommendations.tables import metadata, pairs
from consumers.runtime import MessageContext
from tests.integration.recommendations.conftest import Shop
from tests.integration.recommendations.support import purchase


def _fallbacks(reason: str) -> float:
    labels = {"reason": reason}
    return REGISTRY.get_sample_value("orderflow_recommendations_fallback_total", labels) or 0.0


async def _recommend(shop: Shop, sku: str) -> dict[str, Any]:
    response = await shop.client.get(f"/v1/products/{sku}/recommendations")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _bought_together(shop: Shop) -> tuple[str, str, str]:
    mug, plate, bowl = (f"{x}-{uuid.uuid4().hex[:6]}" for x in ("MUG", "PLATE", "BOWL"))
    async with shop.sessions.begin() as session:
        for p in (purchase(mug, plate), purchase(mug, plate, bowl), purchase(mug, bowl)):
            for event, envelope in p.events():
                await HANDLERS[type(event)](event, MessageContext(session, envelope))
    return mug, plate, bowl


def _best_sellers(shop: Shop) -> list[dict[str, object]]:
    """What the analytics facts of ``shop`` make the best sellers (A in two orders, B in one)."""
    return [
        {"sku": shop.history.sku("A"), "orders": 2},
        {"sku": shop.history.sku("B"), "orders": 1},
    ]


async def test_the_model_answers_with_what_was_bought_together(shop: Shop) -> None:
    mug, plate, bowl = await _bought_together(shop)
    body = await _recommend(shop, mug)
    assert (body["source"], body["reason"], body["fallback"]) == ("model", None, None)
    assert body["items"] == [{"sku": bowl, "orders": 2}, {"sku": plate, "orders": 2}]


async def test_a_product_never_bought_with_another_gets_the_best_sellers(shop: Shop) -> None:
    before = _fallbacks("not_enough_data")
    body = await _recommend(shop, f"LONELY-{uuid.uuid4().hex[:6]}")
    assert (body["source"], body["reason"], body["fallback"]) == (
        "fallback",
        "not_enough_data",
        "best_sellers",
    )
    assert body["items"] == _best_sellers(shop)
    assert _fallbacks("not_enough_data") == before + 1


async def test_the_table_dropped_means_best_sellers(shop: Shop) -> None:
    mug, _, _ = await _bought_together(shop)
    before = _fallbacks("model_unavailable")
    async with _without_pairs(shop):
        body = await _recommend(shop, mug)
    assert (body["source"], body["reason"], body["fallback"]) == (
        "fallback",
        "model_unavailable",
        "best_sellers",
    )
    assert body["items"] == _best_sellers(shop)
    assert _fallbacks("model_unavailable") == before + 1
    mug, _, _ = await _bought_together(shop)  # the table is back (empty): counted again
    assert (await _recommend(shop, mug))["source"] == "model"


async def test_the_table_locked_by_another_transaction_means_best_sellers_at_once(
    shop: Shop,
) -> None:
    mug, _, _ = await _bought_together(shop)
    async with shop.engine.connect() as locker, locker.begin():
        await locker.execute(text("LOCK TABLE recommendations.pairs IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        # Without the lock timeout this request would wait for the lock, held until it returns.
        body = await _recommend(shop, mug)
        elapsed = time.monotonic() - started
    assert (body["source"], body["reason"]) == ("fallback", "model_unavailable")
    assert body["items"] == _best_sellers(shop)
    assert elapsed < shop.settings.recommendations.budget_seconds * 5  # not the lock's length


async def test_with_nothing_to_answer_from_the_list_is_empty_and_still_not_an_error(
    shop: Shop,
) -> None:
    mug, _, _ = await _bought_together(shop)
    async with shop.engine.connect() as locker, locker.begin(), _without_pairs(shop):
        await locker.execute(text("LOCK TABLE analytics.orders IN ACCESS EXCLUSIVE MODE"))
        body = await _recommend(shop, mug)
    assert (body["source"], body["reason"], body["fallback"], body["items"]) == (
        "fallback",
        "model_unavailable",
        "none",
        [],
    )


async def test_a_model_behind_by_more_than_the_allowed_staleness_is_not_used(shop: Shop) -> None:
    mug, plate, bowl = await _bought_together(shop)
    allowed = shop.settings.recommendations.max_staleness_seconds
    try:
        await record_freshness(shop.sessions, shop.group, Freshness(allowed + 1, lag=12))
        stale = await _recommend(shop, mug)
        await record_freshness(shop.sessions, shop.group, Freshness(allowed - 1, lag=12))
        fresh = await _recommend(shop, mug)
    finally:
        await record_freshness(shop.sessions, shop.group, Freshness(0.0, lag=0))
    assert (stale["source"], stale["reason"], stale["behind_seconds"]) == (
        "fallback",
        "model_stale",
        allowed + 1,
    )
    assert stale["items"] == _best_sellers(shop)
    assert (fresh["source"], fresh["behind_seconds"]) == ("model", allowed - 1)
    assert {item["sku"] for item in fresh["items"]} == {plate, bowl}


async def test_a_freshness_nobody_measured_for_long_is_unknown_not_stale(shop: Shop) -> None:
    mug, _, _ = await _bought_together(shop)
    try:
        await record_freshness(shop.sessions, shop.group, Freshness(10_000.0, lag=99))
        async with shop.sessions.begin() as session:
            await session.execute(
                text(
                    "UPDATE recommendations.freshness SET checked_at = now() - interval '1 hour' "
                    "WHERE consumer = :group"
                ),
                {"group": shop.group},
            )
        body = await _recommend(shop, mug)
    finally:
        await record_freshness(shop.sessions, shop.group, Freshness(0.0, lag=0))
    assert (body["source"], body["behind_seconds"]) == ("model", None)


@pytest.mark.parametrize("sku", ["has space", "x" * 65, "semi;colon"])
async def test_a_malformed_sku_is_a_problem(shop: Shop, sku: str) -> None:
    response = await shop.client.get(f"/v1/products/{sku}/recommendations")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@asynccontextmanager
async def _without_pairs(shop: Shop) -> AsyncIterator[None]:
    """``recommendations.pairs`` dropped (committed), and created again afterwards."""
    async with shop.engine.begin() as connection:
        await connection.execute(text("DROP TABLE recommendations.pairs"))
    try:
        yield
    finally:
        async with shop.engine.begin() as connection:
            await connection.run_sync(lambda sync: metadata.create_all(sync, tables=[pairs]))

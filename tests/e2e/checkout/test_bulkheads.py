"""Bulkheads: background work that takes every connection of its pool, and a flood of reports,
leave checkout alone — while one shared pool of the same size would have starved it.

The background pool is exhausted for real (its connections checked out on PostgreSQL), not
simulated; the API is the one ``orderflow run`` serves, on the two pools it gets there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import ProviderState
from foundation.database import create_engine
from orderflow.http import create_app
from orderflow.settings import Settings
from orderflow.wiring.pools import DatabasePools
from tests.support.processes import serving
from tests.support.shop import app_settings, cart, key, new_product, shopper_at

Sessions = async_sessionmaker[AsyncSession]
POOL = 2  # per pool: each opens at most 4 connections
REPORT_FLOOD = 6
REPORTS = "/v1/admin/analytics/daily.csv"
TIMEOUTS = "orderflow_db_pool_timeouts_total"


def _bulkhead_settings(settings: Settings, provider_url: str) -> Settings:
    """Small pools, a background wait shorter than the checkout's, two reports at once."""
    return app_settings(settings, provider_url).updated(
        database={
            "pool_size": POOL,
            "pool_timeout_seconds": 5.0,
            "background_pool_size": POOL,
            # Long enough that every report of the flood arrives while the first two wait.
            "background_pool_timeout_seconds": 2.0,
        },
        http={"report_concurrency": 2},
    )


@asynccontextmanager
async def every_connection_taken(engine: AsyncEngine) -> AsyncIterator[None]:
    """Check out as many connections as ``engine``'s pool opens, each in an open
    transaction on the server, and hold them."""
    async with AsyncExitStack() as stack:
        for _ in range(2 * POOL):
            conn = await stack.enter_async_context(engine.connect())
            await conn.execute(text("SELECT 1"))
        yield


def _sample(name: str, **labels: str) -> float:
    """A figure of this process (the API under test runs in it), as its /metrics serves it."""
    value = REGISTRY.get_sample_value(name, labels)
    assert value is not None, f"{name}{labels} is not exported"
    return value


async def test_checkout_completes_while_background_work_holds_every_background_connection(
    settings: Settings, sessions: Sessions, provider: tuple[ProviderState, str]
) -> None:
    config = _bulkhead_settings(settings, provider[1])
    sku = await new_product(sessions, stock=5)
    pools = DatabasePools(config)
    app = create_app(pools.critical, background=pools.background, settings=config)
    try:
        async with (
            serving(app) as url,
            shopper_at(url, sessions, config) as alice,
            shopper_at(url, sessions, config, "admin") as admin,
            every_connection_taken(pools.background),
        ):
            assert _sample("orderflow_db_pool_in_use", pool="background") == 2 * POOL
            assert _sample("orderflow_db_pool_max", pool="background") == 2 * POOL
            rejected = _sample("orderflow_bulkhead_rejected_total", bulkhead="reports")
            timeouts = {p: _sample(TIMEOUTS, pool=p) for p in ("critical", "background")}

            flood = [admin.client.get(REPORTS) for _ in range(REPORT_FLOOD)]
            checkout = alice.client.post("/v1/checkout", json=cart(sku), headers=key(), timeout=5)
            *reports, placed = await asyncio.gather(*flood, checkout)
            recommended = await alice.client.get(f"/v1/products/{sku}/recommendations")

            refused = _sample("orderflow_bulkhead_rejected_total", bulkhead="reports") - rejected
            timed_out = {p: _sample(TIMEOUTS, pool=p) - timeouts[p] for p in timeouts}
    finally:
        await pools.dispose()

    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "confirmed"
    # Two reports got in and waited for a background connection in vain; the rest were
    # refused at the door, at once.
    codes = sorted(r.json()["code"] for r in reports)
    assert codes == ["bulkhead_full"] * (REPORT_FLOOD - 2) + ["database_busy"] * 2
    assert all(r.status_code == 503 and int(r.headers["retry-after"]) >= 1 for r in reports)
    # The recommendations degrade on purpose: a marked fallback, not an error.
    assert recommended.status_code == 200, recommended.text
    assert recommended.json()["source"] == "fallback"
    assert recommended.json()["reason"] == "model_unavailable"
    assert refused == REPORT_FLOOD - 2
    assert timed_out["background"] >= 2
    assert timed_out["critical"] == 0


async def test_without_the_split_the_same_background_load_starves_checkout(
    settings: Settings, sessions: Sessions, provider: tuple[ProviderState, str]
) -> None:
    """The counter-test: one pool of the same size for everything, the same connections
    held — checkout waits its pool timeout and answers 503 database_busy."""
    config = _bulkhead_settings(settings, provider[1])
    sku = await new_product(sessions, stock=5)
    shared = create_engine(config.database.url, pool_size=POOL, pool_timeout=0.5)
    app = create_app(shared, background=shared, settings=config)
    try:
        async with (
            serving(app) as url,
            shopper_at(url, sessions, config) as alice,
            every_connection_taken(shared),
        ):
            answer = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    finally:
        await shared.dispose()

    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "database_busy"
    assert int(answer.headers["retry-after"]) >= 1


async def test_each_pool_of_a_process_is_its_own(settings: Settings) -> None:
    pools = DatabasePools(settings)
    try:
        assert pools.critical is pools.critical
        assert pools.background is pools.background
        assert pools.critical.pool is not pools.background.pool
    finally:
        await pools.dispose()

"""Every migration can be undone on a database that holds data, and redone.

A shop's worth of rows goes in at head — accounts, products, confirmed and declined checkouts
(orders, payments, checkout answers, outbox rows) over the real API with the fake provider,
and the read models' facts (analytics, recommendations). Then:

- rolling back the newest migration and upgrading again keeps every row of the tables it does
  not own (a release rolled back and forward loses nothing);
- walking down one revision at a time to base runs each downgrade with the data its tables
  hold, then ``upgrade head`` and alembic's comparison agree with the code again, and the API
  takes orders on the rebuilt schema.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.recommendations.counting import record_fact
from devtools.fakes.payment_provider import create_provider_app
from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from orderflow.http import create_app
from orderflow.settings import Settings
from orderflow.wiring.connections import database_engine, database_sessions
from tests.integration.analytics.support import apply
from tests.support.databases import fresh_database
from tests.support.history import random_past_day, shop_day
from tests.support.processes import serving
from tests.support.shop import app_settings, cart, key, new_product, shopper_at

# Tables the shop's rows must reach, or the round trip would prove little.
MUST_HOLD_DATA = (
    "catalog.products",
    "orders.orders",
    "orders.checkout_requests",
    "payments.intents",
    "outbox.events",
    "analytics.orders",
    "recommendations.pairs",
)


async def _table_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows per table of every schema but the catalog's own."""
    async with engine.connect() as connection:
        names = (
            await connection.execute(
                text(
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
                    "('pg_catalog', 'information_schema', 'public')"
                )
            )
        ).scalars()
        return {
            name: int((await connection.execute(text(_count(name)))).scalar_one())
            for name in sorted(names)
        }


def _count(table: str) -> str:
    schema, name = table.split(".", 1)
    return f'SELECT count(*) FROM "{schema}"."{name}"'  # noqa: S608 - names from the catalog


async def _shop(engine: AsyncEngine, settings: Settings) -> None:
    """Accounts, products, a confirmed and a declined checkout, read-model facts."""
    sessions: async_sessionmaker[AsyncSession] = database_sessions(settings, engine)
    async with serving(create_provider_app()) as provider:
        api_settings = app_settings(settings, provider)
        async with serving(create_app(engine, settings=api_settings)) as api:
            sku = await new_product(sessions, stock=10)
            other = await new_product(sessions, stock=10)
            async with shopper_at(api, sessions, settings) as shopper:
                body = {
                    "email": f"rt-{uuid.uuid4().hex[:8]}@example.com",
                    "password": "pw-123456789",
                }
                assert (
                    await shopper.client.post("/v1/auth/register", json=body)
                ).status_code == 202
                paid = await shopper.client.post("/v1/checkout", json=cart(sku, 2), headers=key())
                declined = await shopper.client.post(
                    "/v1/checkout", json=cart(other, 1, token="tok_decline"), headers=key()
                )
            assert (paid.status_code, declined.status_code) == (201, 402), (
                paid.text,
                declined.text,
            )
    await apply(sessions, shop_day(random_past_day()).envelopes)
    async with sessions.begin() as session:
        order = uuid.uuid4()
        await record_fact(session, order, skus=[sku, other])
        await record_fact(session, order, confirmed_at=datetime.now(UTC))


def _revisions(config: Config) -> list[str]:
    """Every revision, newest first."""
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


@pytest.mark.timeout(300)
async def test_downgrades_run_on_a_database_holding_data_and_upgrades_rebuild_it(
    infrastructure: Infrastructure, settings: Settings
) -> None:
    async with fresh_database(infrastructure.database_url, prefix="orderflow_roundtrip") as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "head")
        engine = database_engine(settings.updated(database={"url": url}))
        try:
            await _shop(engine, settings.updated(database={"url": url}))
            at_head = await _table_counts(engine)
            print(at_head)  # the evidence (pytest -rP): how much data the downgrades met
            assert all(at_head[t] > 0 for t in MUST_HOLD_DATA), at_head

            # A release rolled back and forward: the newest migration undone and redone.
            newest, previous = _revisions(config)[:2]
            await asyncio.to_thread(command.downgrade, config, previous)
            kept = await _table_counts(engine)
            await asyncio.to_thread(command.upgrade, config, newest)
            assert {t: at_head[t] for t in kept} == kept  # nothing the newest one does not own lost

            # Every downgrade, one at a time, with the rows its tables hold.
            for revision in _revisions(config)[1:]:
                await asyncio.to_thread(command.downgrade, config, revision)
            await asyncio.to_thread(command.downgrade, config, "base")
            assert await _table_counts(engine) == {}  # every table of every schema gone

            await asyncio.to_thread(command.upgrade, config, "head")
            await asyncio.to_thread(command.check, config)
            await _shop(engine, settings.updated(database={"url": url}))  # the schema works
        finally:
            await engine.dispose()

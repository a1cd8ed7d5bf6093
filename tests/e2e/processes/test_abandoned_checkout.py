"""A checkout killed before its payment reached the provider settles within a minute: the
order cancelled, its stock released, its Idempotency-Key answered — a retry with the key gets a
clear 402 ``payment_abandoned`` instead of 15 minutes of 409s — and nothing is charged.

``orderflow api`` talks to a provider that accepts connections and never answers (the call is
under way, nothing reached the provider) and is killed -9 in that moment; ``orderflow jobs``
reconciles against the real (fake) provider, which has never seen the key.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx

from devtools.fakes.payment_provider import ProviderState, create_provider_app
from foundation.database import create_engine, create_sessions
from orderflow.settings import Settings
from tests.support.identity import bearer, signed_in
from tests.support.polling import eventually
from tests.support.processes import free_port, orderflow_process, serving
from tests.support.shop import SECRET, cart, signing

SETTLED_WITHIN = 60.0
KEY_QUERY = """
    SELECT r.status, r.outcome, o.status AS order_status,
           extract(epoch FROM r.completed_at - i.created_at) AS age
    FROM orders.checkout_requests r
    JOIN orders.orders o ON o.id = r.order_id
    JOIN payments.intents i ON i.order_id = r.order_id
    WHERE r.idempotency_key = $1
"""


@asynccontextmanager
async def silent_provider() -> AsyncIterator[str]:
    """A provider address that accepts connections and never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client goes away
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


def _env(database_url: str, settings: Settings, provider_url: str, port: int) -> dict[str, str]:
    return {
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": settings.deployment.topic_prefix,
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_PAYMENT_PROVIDER_URL": provider_url,
        "ORDERFLOW_PAYMENT_ATTEMPTS": "1",
        "ORDERFLOW_PAYMENT_TIMEOUT_SECONDS": "5",
        "ORDERFLOW_PAYMENT_BUDGET_SECONDS": "5",
        "ORDERFLOW_PAYMENT_START_WITHIN_SECONDS": "1",
        "ORDERFLOW_PAYMENT_RECONCILE_INTERVAL_SECONDS": "1",
        "ORDERFLOW_PAYMENT_RECONCILE_GRACE_SECONDS": "0",
        "ORDERFLOW_LOG_FORMAT": "json",
    }


class Keys:
    """The checkout's Idempotency-Key as the database has it."""

    def __init__(self, database_url: str, key: str) -> None:
        self.dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        self.key = key

    async def row(self) -> asyncpg.Record | None:
        db = await asyncpg.connect(self.dsn)
        try:
            return await db.fetchrow(KEY_QUERY, self.key)
        finally:
            await db.close()

    async def in_progress(self) -> bool:
        row = await self.row()
        return row is not None and row["status"] == "in_progress"

    async def completed(self) -> asyncpg.Record | None:
        row = await self.row()
        return row if row is not None and row["status"] == "completed" else None


async def _signed_in(database_url: str, settings: Settings) -> str:
    """The access token of a new admin and customer, signed in on the deployment's database
    (its session outlives the API process that is killed)."""
    engine = create_engine(database_url)
    try:
        sessions = create_sessions(engine, settings.deployment.namespace())
        _, pair = await signed_in(sessions, signing(settings), "admin", "customer")
    finally:
        await engine.dispose()
    return pair.access.token


def _client(base_url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers=bearer(token), timeout=30)


async def test_a_checkout_killed_before_the_provider_call_settles_within_a_minute(
    own_database: str, settings: Settings, tmp_path: Path
) -> None:
    state = ProviderState()
    checkout_key = str(uuid.uuid4())
    keys = Keys(own_database, checkout_key)
    shopper = await _signed_in(own_database, settings)
    sku = f"ABANDON-{checkout_key[:8]}"
    headers = {"Idempotency-Key": checkout_key}
    async with serving(create_provider_app(state)) as provider_url, silent_provider() as silent:
        port = free_port()
        env = _env(own_database, settings, silent, port)
        with orderflow_process(["api"], env, tmp_path / "api.log", port) as api:
            async with _client(api.base_url, shopper) as client:
                product = {"sku": sku, "name": "Mug", "description": "", "price_minor": 900,
                           "currency": "EUR", "initial_stock": 3}  # fmt: skip
                created = await client.post("/v1/products", json=product)
                assert created.status_code == 201, created.text
                product_id = created.json()["product_id"]
                checkout = asyncio.create_task(
                    client.post("/v1/checkout", json=cart(sku, 2), headers=headers)
                )
                await eventually(keys.in_progress, 10, "the order placed", every=0.02)
                api.process.kill()  # -9, while the call is on its way to the provider
                api.process.wait(10)
                await asyncio.gather(checkout, return_exceptions=True)
        assert await keys.in_progress()

        began = time.monotonic()
        jobs_env = _env(own_database, settings, provider_url, port)
        metrics = free_port()
        jobs_args = ["jobs", "--metrics-port", str(metrics)]
        with orderflow_process(jobs_args, jobs_env, tmp_path / "jobs.log", metrics, health=None):
            settled = await eventually(keys.completed, SETTLED_WITHIN, "the key completed")
        assert settled is not None
        assert settled["outcome"] == "abandoned"
        assert settled["order_status"] == "cancelled"
        assert settled["age"] < SETTLED_WITHIN, f"settled {settled['age']:.0f} s after the order"
        assert time.monotonic() - began < SETTLED_WITHIN
        assert state.authorizations == {}  # nothing was ever charged

        with orderflow_process(["api"], jobs_env, tmp_path / "api-again.log", port) as api:
            async with _client(api.base_url, shopper) as client:
                retried = await client.post("/v1/checkout", json=cart(sku, 2), headers=headers)
                stock = (await client.get(f"/v1/products/{product_id}")).json()["available"]
    assert stock == 3
    assert retried.status_code == 402, retried.text
    assert retried.json()["code"] == "payment_abandoned"

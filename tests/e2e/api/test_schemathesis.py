"""Schemathesis over every operation of the real API: all checks, all phases, a bounded budget.

The API is served by uvicorn on a database of its own (schemathesis leaves hundreds of odd
products and accounts behind) with the fake payment provider. An admin, a real account that
logged in, and a service client lend their tokens (see schemathesis.toml).
Generated strings may hold NUL; the headers schemathesis cannot send (NUL, bytes that are not
UTF-8) are covered by tests/e2e/api/test_malformed_requests.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import create_provider_app
from devtools.infrastructure import Infrastructure
from domains.catalog.api import CatalogUnitOfWork, CreateProduct, create_product
from domains.identity import api as identity
from orderflow.cli.db import alembic_config
from orderflow.http import create_app
from orderflow.http.client_auth import install_client_auth
from orderflow.settings import Settings
from orderflow.wiring.connections import database_engine, database_sessions
from tests.support.databases import fresh_database
from tests.support.identity import identity_config
from tests.support.intake import KnownClients, service_client
from tests.support.processes import serving
from tests.support.shop import app_settings

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "st-admin@example.com"
# The budget: at most this many examples per operation and phase, and this many seconds in
# all. Measured on 2 cores: ~30 s for 21 operations when the machine is quiet; with 26 and the
# machine busy, 35 s ended in the coverage phase (every login, register and reset hashes a
# password with argon2id, ~1 s each then), so the stateful phase never ran. A fixed seed makes a
# failure reproducible.
EXAMPLES = 8
SECONDS = 60
SEED = 20261129


@pytest.fixture(scope="module")
async def shop_settings(
    infrastructure: Infrastructure, settings: Settings
) -> AsyncIterator[Settings]:
    """Settings on a fresh, migrated database of this module's own."""
    async with fresh_database(infrastructure.database_url, prefix="orderflow_st") as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield settings.updated(database={"url": url})


@pytest.mark.timeout(SECONDS + 90)
async def test_schemathesis_finds_nothing_wrong(shop_settings: Settings, tmp_path: Path) -> None:
    engine = database_engine(shop_settings)
    try:
        async with serving(create_provider_app()) as provider:
            # Every generated request must reach its route: the rate limits' 429s are tested on
            # their own (tests/integration/sessions), here they would hide the routes' answers.
            settings = app_settings(shop_settings, provider).updated(rate_limits={"enabled": False})
            app = create_app(engine, settings=settings)
            services = KnownClients()
            install_client_auth(app, services)
            async with serving(app) as api:
                member = await _seed(database_sessions(settings, engine), settings)
                tokens = await _tokens(api)
                tokens["ORDERFLOW_SCHEMATHESIS_MEMBER_ID"] = member
                service = services.add(service_client())["Authorization"].removeprefix("Bearer ")
                tokens["ORDERFLOW_SCHEMATHESIS_SERVICE_TOKEN"] = service
                output, status = await _schemathesis(api, tokens, tmp_path)
    finally:
        await engine.dispose()

    print(output)  # the evidence: operations, phases, cases generated (pytest -rP shows it)
    assert status == 0, output[-30_000:]
    assert "Failures:" not in output  # the summary lists failures by code only when there are


async def _seed(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> str:
    """An admin account, a member the admin's user routes act on (its id is returned), and the
    document's example product so checkout reaches the provider."""
    passwords = identity_config(settings).passwords
    admin = identity.RegisterUser(ADMIN_EMAIL, PASSWORD, frozenset({identity.ADMIN}))
    await identity.register_user(admin, identity.IdentityUnitOfWork(sessions), passwords)
    member = identity.RegisterUser("st-member@example.com", PASSWORD)
    registered = await identity.register_user(
        member, identity.IdentityUnitOfWork(sessions), passwords
    )
    await create_product(
        CreateProduct(
            sku="MUG-BLUE-350",
            name="Mug",
            description="A blue mug",
            price_minor=1250,
            currency="EUR",
            initial_stock=1000,
        ),
        CatalogUnitOfWork(sessions),
    )
    return str(registered.id)


async def _tokens(api: str) -> dict[str, str]:
    """Log the admin in; its token for schemathesis."""
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        body = {"email": ADMIN_EMAIL, "password": PASSWORD}
        login = await client.post("/v1/auth/login", json=body)
    assert login.status_code == 200, login.text
    return {"ORDERFLOW_SCHEMATHESIS_ADMIN_TOKEN": login.json()["access_token"]}


async def _schemathesis(api: str, tokens: dict[str, str], workdir: Path) -> tuple[str, int]:
    process = await asyncio.create_subprocess_exec(
        SCHEMATHESIS,
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{api}/openapi.json",
        "--max-examples",
        str(EXAMPLES),
        "--max-time",
        str(SECONDS),
        "--seed",
        str(SEED),
        # One worker: schemathesis' workers are threads, and CPython 3.11's ast.parse (which
        # Hypothesis calls to describe a strategy's lambda) keeps its recursion depth in
        # interpreter-wide state, so two threads parsing at once can fail with "SystemError: AST
        # constructor recursion depth mismatch" (python/cpython#106905) - it did, once, in CI.
        "--workers",
        "1",
        env={**os.environ, **tokens},
        cwd=workdir,  # its cache and reports stay out of the repository
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return output.decode(errors="replace"), await process.wait()

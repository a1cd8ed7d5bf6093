"""The API in process on the test database, with service clients the tests make up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from orderflow.http import create_app
from orderflow.http.client_auth import install_client_auth
from orderflow.settings import Settings
from tests.support.intake import KnownClients
from tests.support.shop import app_settings

NO_PROVIDER = "http://127.0.0.1:9"  # intake never calls the payment provider


@pytest.fixture(scope="module")
def clients() -> KnownClients:
    """The clients the API knows."""
    return KnownClients()


@pytest.fixture
async def api(
    settings: Settings, engine: AsyncEngine, clients: KnownClients
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the API (no default credentials)."""
    app = create_app(engine, settings=app_settings(settings, NO_PROVIDER))
    install_client_auth(app, clients)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as http:
        yield http

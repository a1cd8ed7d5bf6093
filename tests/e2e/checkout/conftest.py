"""Checkout end to end: the API and the fake payment provider served by uvicorn on free ports,
real PostgreSQL, clients speaking HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import Behaviour, ProviderState, create_provider_app
from domains.catalog.api import CatalogUnitOfWork, CreateProduct, create_product
from domains.identity.api import Principal, issue_access_token
from orderflow.http import create_app
from orderflow.settings import Settings
from tests.e2e.processes import serving

SECRET = "checkout-e2e-secret-checkout-e2e-secret-0123"


@pytest.fixture(scope="session")
async def provider() -> AsyncIterator[tuple[ProviderState, str]]:
    """The fake provider, running on a port; tests change ``state.behaviour`` directly."""
    state = ProviderState()
    async with serving(create_provider_app(state)) as url:
        yield state, url


@pytest.fixture(autouse=True)
def provider_behaves_normally(provider: tuple[ProviderState, str]) -> Iterator[None]:
    """Every test starts and ends with a provider that answers normally."""
    provider[0].behaviour = Behaviour()
    yield
    provider[0].behaviour = Behaviour()


def app_settings(settings: Settings, provider_url: str, **changes: object) -> Settings:
    """Settings of an API under test: short provider timeouts, a lenient breaker."""
    values: dict[str, object] = {
        "jwt_secret": SecretStr(SECRET),
        "payment_provider_url": provider_url,
        "payment_timeout_seconds": 0.5,
        "payment_attempts": 2,
        "payment_budget_seconds": 2.0,
        "payment_breaker_failures": 1000,
        **changes,
    }
    return settings.model_copy(update=values)


@pytest.fixture(scope="session")
async def api(
    settings: Settings, engine: AsyncEngine, provider: tuple[ProviderState, str]
) -> AsyncIterator[str]:
    """The orderflow API on a port; yields its base URL."""
    app = create_app(engine, settings=app_settings(settings, provider[1]))
    async with serving(app) as url:
        yield url


@dataclass(frozen=True)
class Shopper:
    """A user with a token and an HTTP client."""

    user_id: uuid.UUID
    client: httpx.AsyncClient


@asynccontextmanager
async def shopper_at(base_url: str, *roles: str) -> AsyncIterator[Shopper]:
    """A client authenticated as a new user with ``roles``."""
    principal = Principal(uuid.uuid4(), frozenset(roles or ("customer",)))
    token = issue_access_token(principal, secret=SECRET, ttl_seconds=600).token
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        yield Shopper(principal.user_id, client)


@pytest.fixture
async def alice(api: str) -> AsyncIterator[Shopper]:
    """A customer."""
    async with shopper_at(api) as shopper:
        yield shopper


@pytest.fixture
async def bob(api: str) -> AsyncIterator[Shopper]:
    """Another customer."""
    async with shopper_at(api) as shopper:
        yield shopper


@pytest.fixture
async def admin(api: str) -> AsyncIterator[Shopper]:
    """An admin."""
    async with shopper_at(api, "admin") as shopper:
        yield shopper


async def new_product(
    sessions: async_sessionmaker[AsyncSession], *, stock: int, price_minor: int = 1250
) -> str:
    """A product with ``stock`` units; returns its SKU."""
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    command = CreateProduct(
        sku=sku,
        name="Mug",
        description="A mug",
        price_minor=price_minor,
        currency="EUR",
        initial_stock=stock,
    )
    await create_product(command, CatalogUnitOfWork(sessions))
    return sku


def cart(sku: str, quantity: int = 1, token: str = "tok_visa") -> dict[str, object]:  # noqa: S107
    """A checkout body."""
    return {
        "currency": "EUR",
        "items": [{"sku": sku, "quantity": quantity}],
        "payment": {"card_token": token},
    }


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": str(uuid.uuid4())}

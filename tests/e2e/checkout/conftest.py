"""Checkout end to end: the API and the fake payment provider served by uvicorn on free ports,
real PostgreSQL, clients speaking HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import Behaviour, ProviderState, create_provider_app
from orderflow.http import create_app
from orderflow.settings import Settings
from tests.support.processes import serving
from tests.support.shop import Shopper, app_settings, shopper_at

Sessions = async_sessionmaker[AsyncSession]


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


@pytest.fixture(scope="session")
async def api(
    settings: Settings, engine: AsyncEngine, provider: tuple[ProviderState, str]
) -> AsyncIterator[str]:
    """The orderflow API on a port; yields its base URL."""
    app = create_app(engine, settings=app_settings(settings, provider[1]))
    async with serving(app) as url:
        yield url


@pytest.fixture
async def alice(api: str, sessions: Sessions, settings: Settings) -> AsyncIterator[Shopper]:
    """A customer."""
    async with shopper_at(api, sessions, settings) as shopper:
        yield shopper


@pytest.fixture
async def bob(api: str, sessions: Sessions, settings: Settings) -> AsyncIterator[Shopper]:
    """Another customer."""
    async with shopper_at(api, sessions, settings) as shopper:
        yield shopper


@pytest.fixture
async def admin(api: str, sessions: Sessions, settings: Settings) -> AsyncIterator[Shopper]:
    """An admin."""
    async with shopper_at(api, sessions, settings, "admin") as shopper:
        yield shopper

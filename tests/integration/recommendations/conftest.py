"""A database of their own for the fallback tests: they drop and lock the model's tables."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from alembic import command
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from orderflow.http import create_app
from orderflow.settings import DatabaseSettings, Settings
from orderflow.wiring.connections import database_engine, database_sessions
from orderflow.wiring.read_models import recommendations_group
from tests.integration.analytics.support import apply
from tests.support.databases import fresh_database
from tests.support.history import History, shop_day

SECRET = "recommendation-tests-secret-recommendations"


@dataclass(frozen=True)
class Shop:
    """The API on a private database, its sessions, and what was put in it."""

    client: httpx.AsyncClient
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    history: History

    @property
    def group(self) -> str:
        """The recommendations group the API reads the freshness of."""
        return recommendations_group(self.settings).name


@pytest.fixture(scope="module")
async def shop(infrastructure: Infrastructure, settings: Settings) -> AsyncIterator[Shop]:
    """A migrated private database with today's sales in analytics, and the API on it."""
    async with fresh_database(infrastructure.database_url, prefix="orderflow_recs") as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        private = settings.updated(
            identity={"jwt_secret": SecretStr(SECRET)},
            consumers={"group_prefix": f"recs-{uuid.uuid4().hex[:8]}-"},
            recommendations={"statement_timeout_ms": 200, "max_staleness_seconds": 60.0},
        ).model_copy(update={"database": DatabaseSettings(url=url)})
        engine = database_engine(private)
        sessions = database_sessions(private, engine)
        history = shop_day(datetime.now(UTC).date())
        await apply(sessions, history.envelopes)
        app = create_app(engine, settings=private)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://api", timeout=30
            ) as client:
                yield Shop(client, engine, sessions, private, history)
        finally:
            await engine.dispose()

"""Fixtures of the observability tests: a database of their own, migrated, dropped afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic import command

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from tests.support.databases import fresh_database


@pytest.fixture
async def own_database(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A migrated database no other test writes outbox rows into (the relay's readiness reads
    the age of the oldest one)."""
    async with fresh_database(infrastructure.database_url, "orderflow_obs") as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url

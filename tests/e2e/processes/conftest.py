"""Fixtures of the process tests: a PostgreSQL of their own, which they stop and start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic import command

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from tests.integration.consumers.private_postgres import PrivatePostgres
from tests.support.databases import migrated_database


@pytest.fixture
async def private_database() -> AsyncIterator[PrivatePostgres]:
    """A private, migrated PostgreSQL the test may stop and start; removed afterwards."""
    server = PrivatePostgres()
    try:
        await server.init()
        await server.start()
        await asyncio.to_thread(command.upgrade, alembic_config(server.url), "head")
        yield server
    finally:
        await server.remove()


@pytest.fixture
async def own_database(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A migrated database of its own on the shared server (for a deployment whose jobs must
    not touch the session's rows); its URL."""
    async with migrated_database(infrastructure.database_url, "orderflow_own") as url:
        yield url

"""The ``private_database`` fixture: a migrated PostgreSQL of one test, which it may stop and
start (consumer, job and process tests that outlive a database outage)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic import command

from orderflow.cli.db import alembic_config
from tests.private_pair.postgres import PrivatePostgres


@pytest.fixture
async def private_database() -> AsyncIterator[PrivatePostgres]:
    """A private, migrated PostgreSQL the test may stop and start; removed afterwards."""
    server = PrivatePostgres()
    try:
        await server.start()
        await asyncio.to_thread(command.upgrade, alembic_config(server.url()), "head")
        yield server
    finally:
        await server.destroy()

"""Throw-away databases on the test PostgreSQL server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from orderflow.cli.db import alembic_config


@asynccontextmanager
async def fresh_database(server_url: str, prefix: str = "orderflow_test") -> AsyncIterator[str]:
    """A new, empty database on the server of ``server_url``; dropped on exit. Its URL."""
    server = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_dsn = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def migrated_database(server_url: str, prefix: str = "orderflow_test") -> AsyncIterator[str]:
    """:func:`fresh_database`, migrated to head."""
    async with fresh_database(server_url, prefix) as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url

"""Throw-away databases on the test PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url


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

"""Scratch databases for benchmarks: fresh, migrated, dropped afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy URL as a plain ``postgresql://`` DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_database(server_url: str, *, migrate: bool = True) -> AsyncIterator[str]:
    """A new database on the server of ``server_url`` (migrated to head unless told not to),
    dropped on exit; yields its SQLAlchemy URL."""
    server = make_url(server_url)
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(
        asyncpg_dsn(server.set(database="postgres").render_as_string(hide_password=False))
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            from alembic import command  # noqa: PLC0415 - only needed here

            from orderflow.cli.db import alembic_config  # noqa: PLC0415

            await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()

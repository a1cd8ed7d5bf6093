"""Alembic environment: runs migrations on the async engine."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from migrations.metadata import target_metadata

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ORDERFLOW_DATABASE_URL")
    if not url:
        raise SystemExit("set ORDERFLOW_DATABASE_URL or run `orderflow db upgrade`")
    return url


def _not_version_table(name: str | None, type_: str, parent_names: object) -> bool:
    # Autogenerate skips alembic's own table only in the default schema; ours names "public".
    return not (type_ == "table" and name == "alembic_version")


def _configure(connection: Connection | None = None) -> None:
    context.configure(
        connection=connection,
        url=None if connection else _url(),
        target_metadata=target_metadata,
        include_schemas=True,
        version_table_schema="public",
        compare_type=True,
        compare_server_default=True,
        include_name=_not_version_table,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool, hide_parameters=True)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


if context.is_offline_mode():
    _configure()
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())

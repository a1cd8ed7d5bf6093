"""Tables and migrations cannot drift: after ``upgrade head`` alembic finds nothing to generate.

``alembic check`` compares the migrated database with the table definitions in the code
(columns, types, server defaults, indexes, unique and foreign keys) and fails on any
difference. The downgrade path runs too, so every migration can be undone (on a database
holding data: test_migration_round_trip.py), and the CLI rolls the newest one back and forward.
"""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner, Result

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from orderflow.cli.main import app
from orderflow.settings import get_settings
from tests.support.databases import fresh_database


async def test_the_migrated_database_matches_the_table_definitions(
    infrastructure: Infrastructure,
) -> None:
    async with fresh_database(infrastructure.database_url, prefix="orderflow_drift") as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.check, config)  # raises, listing every difference

        await asyncio.to_thread(command.downgrade, config, "base")
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.check, config)


def _orderflow(*args: str) -> Result:
    """The CLI in this process (a subprocess costs seconds of start-up per command)."""
    return CliRunner().invoke(app, list(args))


def _revision(url: str) -> str:
    async def read() -> str | None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    return str(asyncio.run(read()))


async def test_the_cli_rolls_the_newest_migration_back_and_forward(
    infrastructure: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with fresh_database(infrastructure.database_url, prefix="orderflow_cli_db") as url:
        monkeypatch.setenv("ORDERFLOW_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            up = await asyncio.to_thread(_orderflow, "db", "upgrade")
            head = await asyncio.to_thread(_revision, url)
            down = await asyncio.to_thread(_orderflow, "db", "downgrade", "-1")
            after = await asyncio.to_thread(_revision, url)
            unknown = await asyncio.to_thread(_orderflow, "db", "downgrade", "nonsense")
            again = await asyncio.to_thread(_orderflow, "db", "upgrade")
        finally:
            get_settings.cache_clear()

    assert (up.exit_code, down.exit_code, again.exit_code) == (0, 0, 0), down.output
    assert int(after) == int(head) - 1
    assert unknown.exit_code == 2
    assert "error: cannot downgrade to 'nonsense'" in unknown.output
    assert "Traceback" not in unknown.output

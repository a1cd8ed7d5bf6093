"""Tables and migrations cannot drift: after ``upgrade head`` alembic finds nothing to generate.

``alembic check`` compares the migrated database with the table definitions in the code
(columns, types, server defaults, indexes, unique and foreign keys) and fails on any
difference. The downgrade path runs too, so every migration can be undone.
"""

from __future__ import annotations

import asyncio

from alembic import command

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
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

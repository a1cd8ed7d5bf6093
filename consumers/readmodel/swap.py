"""The table work of a rebuild: empty copies of the live tables, and the swap.

Names come from the code (a read model's schema and table names), never from input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# pg_get_indexdef: "CREATE [UNIQUE] INDEX <name> ON <schema>.<table> USING <method> (<columns>)".
_INDEX_DEFINITION = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ (USING .*)$")


async def create_copies(
    sessions: async_sessionmaker[AsyncSession], schema: str, fresh: Mapping[str, str]
) -> None:
    """Create each ``fresh[live]`` table like ``live``: columns, defaults, checks, indexes."""
    async with sessions.begin() as session:
        for live, copy in fresh.items():
            await session.execute(
                text(f"CREATE TABLE {schema}.{copy} (LIKE {schema}.{live} INCLUDING ALL)")
            )


async def drop_tables(
    sessions: async_sessionmaker[AsyncSession], schema: str, tables: Iterable[str]
) -> None:
    """Drop the copies of a rebuild that did not finish."""
    async with sessions.begin() as session:
        for table in tables:
            await session.execute(text(f"DROP TABLE IF EXISTS {schema}.{table}"))


async def swap_in(session: AsyncSession, schema: str, fresh: Mapping[str, str]) -> None:
    """Replace each live table by its copy, which takes the live table's index names.

    The names matter: the migrations' naming convention (``pk_<table>``, ``ix_...``) is what
    ``alembic check`` and the next migration expect to find.
    """
    for live, copy in fresh.items():
        names = await _index_names(session, schema, live)
        renames = {
            index: names[shape]
            for index, shape in (await _index_shapes(session, schema, copy)).items()
            if shape in names
        }
        await session.execute(text(f"DROP TABLE {schema}.{live}"))
        await session.execute(text(f"ALTER TABLE {schema}.{copy} RENAME TO {live}"))
        for index, name in renames.items():
            await session.execute(text(f"ALTER INDEX {schema}.{index} RENAME TO {name}"))


async def _index_names(session: AsyncSession, schema: str, table: str) -> dict[str, str]:
    """The name of each index of ``table``, by its shape (unique?, method and columns)."""
    return {shape: name for name, shape in (await _index_shapes(session, schema, table)).items()}


async def _index_shapes(session: AsyncSession, schema: str, table: str) -> dict[str, str]:
    rows = await session.execute(
        text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = CAST(:table AS regclass)"
        ),
        {"table": f"{schema}.{table}"},
    )
    shapes = {}
    for name, definition in rows.all():
        match = _INDEX_DEFINITION.match(definition)
        if match:
            shapes[name] = f"{match.group(1) or ''}{match.group(2)}"
    return shapes

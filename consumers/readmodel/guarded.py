"""One field group of one read-model row, written only if it is newer than what is there.

``INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE t.<group>_version < EXCLUDED.<group>_version``:
a late, replayed or duplicated event of a group changes nothing once a newer one of that group
was applied, whatever order the events arrive in. Each group has its own guard because events
carry only part of an aggregate (``PriceChanged`` has no name, ``OrderShipped`` no lines): a
late event still fills in what it owns without ever overwriting a newer value of that group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def guarded_upsert(
    session: AsyncSession,
    table: Table,
    key: Mapping[str, Any],
    group: str,
    values: Mapping[str, Any],
    version: int,
) -> int:
    """Upsert ``values`` (the ``group`` columns) of the row ``key`` at aggregate ``version``.

    The table has a ``<group>_version`` column per group, ``version`` (the newest version seen
    at all) and ``updated_at``. Returns the rows changed: 0 when the group is as new already.
    """
    guard = f"{group}_version"
    row = {**key, **values, guard: version, "version": version}
    statement = insert(table).values(row)
    excluded = statement.excluded
    keys: Sequence[Any] = [table.c[name] for name in key]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={
            **{name: excluded[name] for name in values},
            guard: excluded[guard],
            "version": func.greatest(table.c.version, excluded.version),
            "updated_at": func.now(),
        },
        where=table.c[guard] < excluded[guard],
    )
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]

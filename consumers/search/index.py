"""Writing patches into a pair of search tables, guarded by the version of each field group.

``INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE t.<group>_version < EXCLUDED.<group>_version``:
a late, replayed or duplicated event of a group changes nothing once a newer one of that group
was applied, whatever order the events arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.search import tables
from consumers.search.projections import Kind, Patch, patches_of
from events import IntegrationEvent


@dataclass(frozen=True)
class SearchIndex:
    """The products and orders tables one index lives in (the live ones, or a rebuild's)."""

    products: Table
    orders: Table

    @classmethod
    def named(cls, products: str, orders: str) -> SearchIndex:
        """An index on other tables of the ``search`` schema shaped like the live ones."""
        target = MetaData(schema=tables.SCHEMA)
        return cls(
            tables.products.to_metadata(target, name=products),
            tables.orders.to_metadata(target, name=orders),
        )

    def table(self, kind: Kind) -> Table:
        """The table of ``kind``."""
        return self.products if kind == "product" else self.orders

    async def apply(self, session: AsyncSession, event: IntegrationEvent, version: int) -> int:
        """Apply what ``event`` (of aggregate ``version``) says; returns the rows it changed."""
        changed = 0
        for patch in patches_of(event):
            changed += await self.write(session, patch, version)
        return changed

    async def write(self, session: AsyncSession, patch: Patch, version: int) -> int:
        """Upsert one patch unless its group already holds ``version`` or newer."""
        table = self.table(patch.kind)
        guard = f"{patch.group}_version"
        row = {"id": patch.row_id, **patch.values, guard: version, "version": version}
        statement = insert(table).values(row)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={
                **{name: excluded[name] for name in patch.values},
                guard: excluded[guard],
                "version": func.greatest(table.c.version, excluded.version),
                "updated_at": func.now(),
            },
            where=table.c[guard] < excluded[guard],
        )
        result = await session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]


LIVE = SearchIndex(tables.products, tables.orders)
"""The index ``GET /v1/search`` reads."""

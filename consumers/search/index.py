"""Writing patches into a pair of search tables, guarded by the version of each field group
(:func:`consumers.readmodel.guarded_upsert`): a late, replayed or duplicated event of a group
changes nothing once a newer one of that group was applied, whatever order they arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.readmodel import guarded_upsert
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
        key = {"id": patch.row_id}
        return await guarded_upsert(session, table, key, patch.group, patch.values, version)


LIVE = SearchIndex(tables.products, tables.orders)
"""The index ``GET /v1/search`` reads."""

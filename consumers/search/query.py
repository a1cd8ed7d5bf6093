"""Reading the index: websearch syntax, ranked by ``ts_rank``, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.search import tables
from consumers.search.index import LIVE, SearchIndex
from consumers.search.projections import Kind

PRODUCT_FIELDS = ("id", "sku", "name", "description", "price_minor", "currency")
ORDER_FIELDS = ("id", "status", "customer_id", "currency", "total_minor", "skus", "placed_at",
                "payment_reference")  # fmt: skip


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, best first, and how many hits there are in all."""

    total: int
    hits: list[dict[str, Any]]


async def search(
    session: AsyncSession,
    kind: Kind,
    text: str,
    *,
    page: int = 1,
    size: int = 20,
    index: SearchIndex = LIVE,
) -> SearchPage:
    """Page ``page`` (1-based) of the ``kind`` rows matching ``text`` (websearch syntax).

    Ties in rank are broken by id, so pages are stable while the index does not change.
    Inactive products are not public and are left out.
    """
    table = index.table(kind)
    config = tables.PRODUCT_CONFIG if kind == "product" else tables.ORDER_CONFIG
    fields = PRODUCT_FIELDS if kind == "product" else ORDER_FIELDS
    query = func.websearch_to_tsquery(config, text)
    rank = func.ts_rank(table.c.document, query).label("rank")
    statement = (
        select(*(table.c[f] for f in fields), rank, func.count().over().label("total"))
        .where(table.c.document.bool_op("@@")(query), *_visible(table, kind))
        .order_by(rank.desc(), table.c.id)
        .limit(size)
        .offset((page - 1) * size)
    )
    rows = (await session.execute(statement)).mappings().all()
    total = int(rows[0]["total"]) if rows else await _count(session, table, kind, query)
    return SearchPage(total, [{k: v for k, v in row.items() if k != "total"} for row in rows])


def _visible(table: Table, kind: Kind) -> list[Any]:
    return [table.c.active] if kind == "product" else []


async def _count(session: AsyncSession, table: Table, kind: Kind, query: Any) -> int:
    """The total for a page past the last hit (the window count needs at least one row)."""
    statement = select(func.count()).where(
        table.c.document.bool_op("@@")(query), *_visible(table, kind)
    )
    return int(await session.scalar(statement) or 0)

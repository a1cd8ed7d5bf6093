"""The orders report: CSV streamed row by row from a server-side cursor."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.tables import orders

COLUMNS = ("order_id", "customer_id", "status", "currency", "total_minor", "version",
           "placed_at", "updated_at")  # fmt: skip
BATCH = 500


def _csv_line(values: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


async def orders_csv(
    sessions: async_sessionmaker[AsyncSession],
    *,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> AsyncIterator[str]:
    """Yield the header, then one CSV line per order (oldest first), ``BATCH`` rows at a time.

    The rows come from a server-side cursor: memory stays flat however many orders exist.
    """
    query = select(
        orders.c.id,
        orders.c.customer_id,
        orders.c.status,
        orders.c.currency,
        orders.c.total_minor,
        orders.c.version,
        orders.c.placed_at,
        orders.c.updated_at,
    ).order_by(orders.c.placed_at, orders.c.id)
    if placed_from is not None:
        query = query.where(orders.c.placed_at >= placed_from)
    if placed_to is not None:
        query = query.where(orders.c.placed_at < placed_to)
    yield _csv_line(COLUMNS)
    async with sessions() as session:
        result = await session.stream(query.execution_options(yield_per=BATCH))
        async for partition in result.partitions():
            yield "".join(_csv_line(_values(row)) for row in partition)


def _values(row: Sequence[object]) -> list[object]:
    return [v.isoformat() if isinstance(v, datetime) else v for v in row]

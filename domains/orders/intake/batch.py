"""Many submissions decided in one transaction (the intake consumer's batch), without deadlocks.

Each submission alone takes its locks in one order: its (client, reference) lock, then its
stock rows in SKU order. A batch holds what every submission took until it commits, and took
them in the order the records came, so two batches (two partitions) deadlocked on stock rows
shared by their orders. :func:`deciding_together` therefore takes every lock of the batch
first, each kind sorted: the references, then the stock rows. Every transaction waits in the
same order, and a submission of the batch finds its locks held already. It also reads the
catalog prices of the whole batch once and writes the outbox rows of the whole batch in one
INSERT.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog import api as catalog
from domains.orders.intake.repository import lock_submissions
from domains.shared import outbox_rows_together


@dataclass(frozen=True)
class IntakeBatch:
    """What a batch read once for all its submissions: the catalog prices of their SKUs."""

    prices: Mapping[str, catalog.Price]


@asynccontextmanager
async def deciding_together(
    session: AsyncSession,
    references: Iterable[tuple[uuid.UUID, str]],
    skus: Iterable[str],
) -> AsyncIterator[IntakeBatch]:
    """Lock the batch's (client, reference) pairs and the stock rows of ``skus`` in order,
    read their prices; the block decides the submissions (:func:`submit_in` with the batch)."""
    wanted = sorted(set(skus))
    await lock_submissions(session, references)
    await catalog.lock_stock(session, wanted)
    prices = await catalog.prices_of(session, wanted) if wanted else {}
    async with outbox_rows_together(session):
        yield IntakeBatch(prices)

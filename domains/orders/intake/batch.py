"""Many submissions decided in one transaction (the intake consumer's batch), without deadlocks.

Each submission alone takes its locks in one order: its (client, reference) lock, then its
stock rows in SKU order. A batch holds what every submission took until it commits, and took
them in the order the records came, so two batches (two partitions) deadlocked on stock rows
shared by their orders. :func:`deciding_together` therefore takes every lock of the batch
first, each kind sorted: the references, then the stock rows. Every transaction waits in the
same order, and a submission of the batch finds its locks held already. It also reads the
stored submissions and the catalog prices of the whole batch once, and writes the outbox rows
of the whole batch in one INSERT.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog import api as catalog
from domains.orders.intake.model import Submission
from domains.orders.intake.repository import lock_submissions, stored_submissions
from domains.shared import outbox_rows_together

Reference = tuple[uuid.UUID, str]


@dataclass(frozen=True)
class IntakeBatch:
    """What a batch holds for all its submissions: the locks of ``locked`` (client, reference)
    pairs, what is ``stored`` under them (kept up to date as the batch decides), and the
    catalog prices of their SKUs."""

    locked: frozenset[Reference]
    stored: dict[Reference, Submission]
    prices: Mapping[str, catalog.Price]


@asynccontextmanager
async def deciding_together(
    session: AsyncSession,
    references: Iterable[Reference],
    skus: Iterable[str],
) -> AsyncIterator[IntakeBatch]:
    """Lock the batch's (client, reference) pairs and the stock rows of ``skus`` in order,
    read what is stored and the prices; the block decides the submissions (:func:`submit_in`
    with the batch)."""
    locked, wanted = frozenset(references), sorted(set(skus))
    await lock_submissions(session, locked)
    await catalog.lock_stock(session, wanted)
    stored = await stored_submissions(session, locked)
    prices = await catalog.prices_of(session, wanted) if wanted else {}
    async with outbox_rows_together(session):
        yield IntakeBatch(locked, stored, prices)

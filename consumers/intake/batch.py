"""The intake group's batch scope: a partition's submissions decided in one transaction.

It reads the sources of the whole batch in one statement and hands the submissions it can
decide to the orders domain, which takes their locks in one order (two partitions' batches
cannot deadlock on shared stock rows) and reads their prices once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity import api as identity
from domains.orders import api as orders
from events.codec import DecodedEvent
from events.schemas.orders import OrderSubmitted


@dataclass(frozen=True)
class Batch:
    """What the handlers of one batch share: its active sources and the orders' batch."""

    clients: dict[uuid.UUID, identity.ServiceClient]
    decided: orders.IntakeBatch


@asynccontextmanager
async def decide_together(
    session: AsyncSession, decoded: Sequence[DecodedEvent]
) -> AsyncIterator[Batch]:
    """Around the handlers of a batch (``Consumer.batch_scope``)."""
    submitted = [
        (client_id, d.event)
        for d in decoded
        if isinstance(d.event, OrderSubmitted)
        and (client_id := source_id(d.envelope.source)) is not None
    ]
    clients = await identity.find_clients(session, {client_id for client_id, _ in submitted})
    writers = {c for c, client in clients.items() if client.may(identity.ORDERS_WRITE)}
    decidable = [(c, e) for c, e in submitted if c in writers and e.problem is None]
    # A reference also sent unreadable in this batch is answered by the refusal path, which
    # reads and writes it on its own: the submissions under it are left to read it each.
    refused = {(c, e.readable_reference) for c, e in submitted if e.problem is not None}
    references = [(c, e.external_reference) for c, e in decidable]
    references = [r for r in references if r not in refused]
    # Locking a SKU that a handler then refuses costs nothing but the lock.
    skus = [line.sku for _, event in decidable for line in event.lines]
    async with orders.deciding_together(session, references, skus) as decided:
        yield Batch(clients, decided)


def source_id(source: str) -> uuid.UUID | None:
    """The client id a ``ce_source`` names, or None when it names none."""
    try:
        return uuid.UUID(source)
    except ValueError:
        return None

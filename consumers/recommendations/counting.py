"""Keeping the pair counts: each confirmed order's products count once, and are taken back
once when the order is cancelled or refunded.

Every event of an order first records its fact on the order's row (an upsert, which also
locks the row until the batch commits), then compares what the facts say (should this
order's pairs be counted?) with what is done (``counted``) and applies the difference, +1 or
-1 on each pair. A duplicate, a replay or a late event finds nothing to change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.recommendations.tables import orders

# An order of more different products than this is a bulk purchase, not a "bought together"
# signal (and would write n·(n-1) pair rows): it is left out.
MAX_PAIRED_SKUS = 20

# Pair rows of popular products are shared by every batch that counts them. Two partitions'
# batches updating them in different orders would deadlock (retried, but wasted), so the
# writers take turns: one transaction-scoped advisory lock for the whole model. The group is
# not on the critical path, and the lock lasts one batch.
_WRITER_LOCK = "SELECT pg_advisory_xact_lock(hashtext('orderflow.recommendations.pairs'))"

_COUNT_PAIRS = text(
    "INSERT INTO recommendations.pairs (sku, other_sku, orders) "
    "SELECT a, b, :delta FROM unnest(CAST(:skus AS text[])) a, unnest(CAST(:skus AS text[])) b "
    "WHERE a <> b ORDER BY a, b "
    "ON CONFLICT (sku, other_sku) DO UPDATE "
    "SET orders = pairs.orders + EXCLUDED.orders, updated_at = now()"
)


def should_count(skus: Sequence[str] | None, confirmed: bool, withdrawn: bool) -> bool:
    """Whether an order with these facts has its pairs in the counts."""
    paired = skus is not None and 1 < len(skus) <= MAX_PAIRED_SKUS
    return paired and confirmed and not withdrawn


async def record_fact(session: AsyncSession, order_id: uuid.UUID, **fact: Any) -> int:
    """Record ``fact`` (the first value of each column wins) and bring the pairs in line;
    returns the pair-count change applied (+1, -1 or 0)."""
    await session.execute(text(_WRITER_LOCK))
    new = insert(orders).values(id=order_id, **fact)
    keep_first = {name: func.coalesce(orders.c[name], new.excluded[name]) for name in fact}
    upsert = new.on_conflict_do_update(
        index_elements=[orders.c.id], set_={**keep_first, "updated_at": func.now()}
    ).returning(orders.c.skus, orders.c.confirmed_at, orders.c.withdrawn_at, orders.c.counted)
    row = (await session.execute(upsert)).one()
    wanted = should_count(row.skus, row.confirmed_at is not None, row.withdrawn_at is not None)
    if wanted == row.counted:
        return 0
    delta = 1 if wanted else -1
    await session.execute(_COUNT_PAIRS, {"skus": list(row.skus), "delta": delta})
    await session.execute(update(orders).where(orders.c.id == order_id).values(counted=wanted))
    return delta


def distinct_skus(skus: Sequence[str]) -> list[str]:
    """The order's different SKUs, sorted."""
    return sorted(set(skus))


__all__ = ["MAX_PAIRED_SKUS", "distinct_skus", "record_fact", "should_count"]

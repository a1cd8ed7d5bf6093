"""The ``recommendations`` schema: what each order contributes, the pair counts, freshness.

``orders`` keeps per order the facts that decide whether its products count as bought
together: its SKUs (``OrderPlaced``), when it was confirmed and when it was cancelled or
refunded (``withdrawn_at``), and ``counted``, whether its pairs are in ``pairs`` right now.
The facts only ever go from unknown to known, so the decision ends the same whatever order
the events arrive in; ``counted`` flips at most twice per order (in, then out), which is what
makes each order's pairs count exactly once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from foundation.naming import NAMING_CONVENTION

SCHEMA = "recommendations"

metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)


def _updated_at() -> Column[object]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("skus", ARRAY(Text)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("counted", Boolean, nullable=False, server_default="false"),
    _updated_at(),
)

pairs = Table(
    "pairs",
    metadata,
    Column("sku", Text, primary_key=True),
    Column("other_sku", Text, primary_key=True),
    Column("orders", Integer, nullable=False, server_default="0"),
    _updated_at(),
    Index("ix_pairs_sku_orders", "sku", "orders"),
)

# One row per consumer group, written by the freshness job (recommendations:freshness).
freshness = Table(
    "freshness",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("behind_seconds", Double, nullable=False),
    Column("lag", Integer, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

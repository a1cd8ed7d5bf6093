"""The ``search`` schema: read models of products and orders with a full-text document each.

Every row keeps one version per *field group* (``details_version``, ``price_version``, ...):
events carry only part of an aggregate (``PriceChanged`` has no name, ``OrderShipped`` no
lines), so one guard per group lets a late event still fill in what it owns without ever
overwriting a newer value of the same group. ``version`` is the newest version seen at all.
``document`` is a generated ``tsvector`` (GIN-indexed), so it can never drift from the row.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import TSVECTOR, UUID

from foundation.naming import NAMING_CONVENTION

SCHEMA = "search"
PRODUCT_CONFIG = "english"  # names and descriptions: stemmed ("mugs" finds "mug")
ORDER_CONFIG = "simple"  # ids, SKUs, statuses, references: matched as written

PRODUCT_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', sku), 'A') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'B')"
)
ORDER_DOCUMENT = (
    "setweight(to_tsvector('simple', id::text), 'A') || "
    "setweight(to_tsvector('simple', coalesce(payment_reference, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(skus, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(customer_id::text, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(status, '')), 'C')"
)

metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)


def _version(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default="0")


products = Table(
    "products",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("sku", Text, nullable=False),
    Column("name", Text),
    Column("description", Text),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("price_minor", BigInteger),
    Column("currency", Text),
    _version("details_version"),
    _version("price_version"),
    _version("version"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("document", TSVECTOR, Computed(PRODUCT_DOCUMENT, persisted=True)),
    Index("ix_products_document", "document", postgresql_using="gin"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True)),
    Column("currency", Text),
    Column("total_minor", BigInteger),
    Column("skus", Text),
    Column("placed_at", DateTime(timezone=True)),
    Column("status", Text),
    Column("payment_reference", Text),
    _version("placed_version"),
    _version("status_version"),
    _version("payment_version"),
    _version("version"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("document", TSVECTOR, Computed(ORDER_DOCUMENT, persisted=True)),
    Index("ix_orders_document", "document", postgresql_using="gin"),
)

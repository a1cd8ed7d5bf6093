"""The ``analytics`` schema: facts per order, line, payment, refund and product.

The figures (daily orders, revenue by currency, average basket, rates, top products) are
computed from these facts when asked (:mod:`consumers.analytics.figures`), never kept as
running counters: a counter must see every event exactly once in order, while a fact row is
written by a version-guarded upsert that a duplicate, a replay or a late event leaves as it is.
Rebuilding from the topics therefore gives the same figures, whatever order they arrive in.

Each row keeps one version per *field group* (``placed_version``, ``confirmed_version``, ...):
see :func:`consumers.readmodel.guarded_upsert`. No foreign keys: facts arrive in any order
(a confirmation may come before its order, a refund before its payment).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

from foundation.naming import NAMING_CONVENTION

SCHEMA = "analytics"

metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)


def _version(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default="0")


def _updated_at() -> Column[object]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True)),
    Column("currency", Text),
    Column("total_minor", BigInteger),
    Column("items", Integer),
    Column("channel", Text),
    Column("placed_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
    Column("refunded_at", DateTime(timezone=True)),
    Column("refunded_minor", BigInteger),
    _version("placed_version"),
    _version("confirmed_version"),
    _version("cancelled_version"),
    _version("refunded_version"),
    _version("version"),
    _updated_at(),
    Index("ix_orders_placed_at", "placed_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("line_no", SmallInteger, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    _version("placed_version"),
    _version("version"),
    _updated_at(),
    Index("ix_order_lines_sku", "sku"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True)),
    Column("currency", Text),
    Column("amount_minor", BigInteger),
    Column("authorized_at", DateTime(timezone=True)),
    Column("declined_at", DateTime(timezone=True)),
    Column("decline_code", Text),
    _version("authorized_version"),
    _version("declined_version"),
    _version("version"),
    _updated_at(),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("payment_id", UUID(as_uuid=True), nullable=False),
    Column("order_id", UUID(as_uuid=True), nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=False),
    _version("refund_version"),
    _version("version"),
    _updated_at(),
)

products = Table(
    "products",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("sku", Text, nullable=False),
    Column("name", Text),
    Column("active", Boolean),
    Column("price_minor", BigInteger),
    Column("currency", Text),
    _version("details_version"),
    _version("price_version"),
    _version("version"),
    _updated_at(),
    Index("ix_products_sku", "sku"),
)

LIVE_TABLES = ("orders", "order_lines", "payments", "refunds", "products")

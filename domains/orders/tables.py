"""Tables of the ``orders`` schema."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="orders", naming_convention=NAMING_CONVENTION)

orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("total_minor >= 0", name="total_not_negative"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", ForeignKey("orders.orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", SmallInteger, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
)

# One row per (customer, Idempotency-Key) of POST /v1/checkout: the body hash it was first used
# with and, once answered, the outcome that every retry gets back (the edge renders it).
checkout_requests = Table(
    "checkout_requests",
    metadata,
    Column("customer_id", UUID(as_uuid=True), primary_key=True),
    Column("idempotency_key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("order_id", UUID(as_uuid=True), index=True),
    Column("outcome", Text),
    Column("answer", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("completed_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('in_progress', 'completed')", name="status_known"),
    # The retention sweep's way to old keys (domains/orders/key_retention.py).
    Index("ix_checkout_requests_created_at", "created_at", postgresql_using="brin"),
)

# One row per (service client, external reference): what became of that submission, over HTTP
# or Kafka. The primary key is the guarantee that a retried submission is never a second order.
submissions = Table(
    "submissions",
    metadata,
    Column("client_id", UUID(as_uuid=True), primary_key=True),
    Column("external_reference", Text, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("order_id", UUID(as_uuid=True), index=True),
    Column("reason", Text),
    Column("kind", Text),
    Column("detail", Text),
    Column("answer", JSONB),
    Column("priced_by", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("outcome IN ('accepted', 'rejected')", name="outcome_known"),
    CheckConstraint("channel IN ('http', 'kafka')", name="channel_known"),
)

# The Idempotency-Key of POST /v1/orders, per client: the body hash it was first used with and
# the submission it answered. Rows older than the documented expiry count as unused.
intake_keys = Table(
    "intake_keys",
    metadata,
    Column("client_id", UUID(as_uuid=True), primary_key=True),
    Column("idempotency_key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("external_reference", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The expiry sweep's way to old keys (domains/orders/intake/key_expiry.py).
    Index("ix_intake_keys_created_at", "created_at", postgresql_using="brin"),
)

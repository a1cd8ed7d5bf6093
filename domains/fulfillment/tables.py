"""Tables of the ``fulfillment`` schema."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Integer, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="fulfillment", naming_convention=NAMING_CONVENTION)

shipments = Table(
    "shipments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("carrier", Text),
    Column("tracking_number", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("shipped_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
)

# Every call fulfillment decided to make at the carrier, recorded in the transaction that
# decided it and made after it committed (see domains/fulfillment/calls.py).
carrier_calls = Table(
    "carrier_calls",
    metadata,
    Column("idempotency_key", Text, primary_key=True),
    Column("shipment_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("order_id", UUID(as_uuid=True), nullable=False),
    Column("operation", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("correlation_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    CheckConstraint("operation IN ('book', 'hand_over', 'void')", name="operation_known"),
    CheckConstraint("status IN ('pending', 'done', 'failed')", name="status_known"),
)

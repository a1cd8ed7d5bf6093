"""Tables of the ``fulfillment`` schema."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
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
    # Delivery tracking's bookkeeping (domains/fulfillment/tracking.py), not the shipment's
    # state: no version change, no event. When the carrier was last asked about the parcel,
    # how often in a row it answered that it has no such parcel, and not before when to ask
    # again (null: at the next pass).
    Column("last_tracked_at", DateTime(timezone=True)),
    Column("unknown_answers", Integer, nullable=False, server_default="0"),
    Column("next_track_at", DateTime(timezone=True)),
)
# Tracking reads the shipped ones never asked about (longest on their way first), then the
# least recently asked.
Index(
    "ix_shipments_to_track",
    shipments.c.last_tracked_at.asc().nulls_first(),
    shipments.c.shipped_at,
    shipments.c.id,
    postgresql_where=text("status = 'shipped'"),
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

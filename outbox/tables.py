"""The ``outbox.events`` table."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from foundation.naming import NAMING_CONVENTION

# Rows are spread over lanes by a hash of their key; one relay at a time owns a lane, which
# keeps each aggregate's events in order while different lanes publish in parallel. Changing
# the number needs every relay stopped and the outbox drained.
LANES = 32

metadata = MetaData(schema="outbox", naming_convention=NAMING_CONVENTION)

outbox_events = Table(
    "events",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("event_version", Integer, nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("lane", SmallInteger, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("parked_at", DateTime(timezone=True)),
    Index(
        "ix_events_pending",
        "lane",
        "id",
        postgresql_where=text("published_at IS NULL AND parked_at IS NULL"),
    ),
    # Parked rows, by key: later rows of a parked key are held behind it (revision 0002).
    Index(
        "ix_events_held",
        "topic",
        "key",
        "id",
        postgresql_where=text("parked_at IS NOT NULL AND published_at IS NULL"),
    ),
    Index(
        "ix_events_published_at",
        "published_at",
        postgresql_where=text("published_at IS NOT NULL"),
    ),
    # Hash: cheaper to maintain on every mark than a B-tree (revision 0002).
    Index("ix_events_key", "key", postgresql_using="hash"),
)

"""The outbox tables: the events, and which of them wait for the relay or for an operator.

``outbox.events`` is written once (by ``append``) and deleted only by retention. Whether an
event still has to be published lives in two narrow tables (revision 0018):

* ``outbox.pending``: one row per event waiting for the relay, added by a statement trigger
  in the inserting transaction and deleted once the broker acknowledged the event. Deleting
  a ~100 byte row writes no index entry; updating the ~1.1 KB event row wrote a new version
  of it and an entry in every index.
* ``outbox.parked``: events the broker can never accept, with the error; later events of
  their key are held until an operator unparks them.

An event in neither table is published (and retained for ``orderflow outbox republish``).
"""

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
    PrimaryKeyConstraint,
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
    # Hash: cheaper to maintain than a B-tree; republish looks keys up by equality (0002).
    Index("ix_events_key", "key", postgresql_using="hash"),
    # Retention's clock. BRIN: the table is append-only in created_at order (0018).
    Index(
        "ix_events_created_at",
        "created_at",
        postgresql_using="brin",
        postgresql_with={"autosummarize": "on"},
    ),
)

outbox_pending = Table(
    "pending",
    metadata,
    Column("id", BigInteger, nullable=False),
    Column("lane", SmallInteger, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    # The claim order: each lane's oldest rows first.
    PrimaryKeyConstraint("lane", "id"),
)

outbox_parked = Table(
    "parked",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("lane", SmallInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Later rows of a parked row's key are held behind it.
    Index("ix_parked_topic_key_id", "topic", "key", "id"),
)

"""Bookkeeping in schema ``messaging``: jobs, per-record outcomes, resolutions, audit.

Kafka topics are append-only, so "resolved" (replayed or purged) is recorded here, keyed by
the dead letter's coordinates (topic, partition, offset).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="messaging", naming_convention=NAMING_CONVENTION)

jobs = Table(
    "dead_letter_jobs",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, nullable=False),  # replay | purge
    Column("consumer_group", Text, nullable=False),
    Column("status", Text, nullable=False),  # running | interrupted | cancelled | completed
    Column("operator", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("selection", JSONB, nullable=False),
    Column("destination", Text),
    Column("rate_per_second", Float),
    Column("max_replays", Integer, nullable=False),
    Column("force", Boolean, nullable=False, server_default=text("false")),
    Column("export_path", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_dead_letter_jobs_consumer_group_created_at", "consumer_group", "created_at"),
)

job_records = Table(
    "dead_letter_job_records",
    metadata,
    Column("job_id", UUID(as_uuid=True), primary_key=True),
    Column("dlq_topic", Text, nullable=False),
    Column("dlq_partition", Integer, primary_key=True),
    Column("dlq_offset", BigInteger, primary_key=True),
    Column("event_id", UUID(as_uuid=True)),
    Column("event_type", Text, nullable=False),
    # pending | replayed | refused_loop_guard | purged | failed | missing | cancelled
    Column("outcome", Text, nullable=False),
    Column("replay_count", Integer, nullable=False),
    Column("already_processed", Boolean, nullable=False, server_default=text("false")),
    Column("detail", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A record is pending in at most one job: a second job over the same records is refused.
    Index(
        "uq_dead_letter_job_records_pending",
        "dlq_topic",
        "dlq_partition",
        "dlq_offset",
        unique=True,
        postgresql_where=text("outcome = 'pending'"),
    ),
    Index("ix_dead_letter_job_records_event_id", "event_id"),
)

resolutions = Table(
    "dead_letter_resolutions",
    metadata,
    Column("dlq_topic", Text, primary_key=True),
    Column("dlq_partition", Integer, primary_key=True),
    Column("dlq_offset", BigInteger, primary_key=True),
    Column("consumer_group", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True)),
    Column("resolution", Text, nullable=False),  # replayed | purged
    Column("job_id", UUID(as_uuid=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

audit = Table(
    "dead_letter_audit",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("operator", Text, nullable=False),
    Column("action", Text, nullable=False),  # replay | resume | cancel | purge | export
    Column("consumer_group", Text, nullable=False),
    Column("job_id", UUID(as_uuid=True)),
    Column("reason", Text),
    Column("details", JSONB, nullable=False),
    Index("ix_dead_letter_audit_consumer_group_at", "consumer_group", "at"),
)

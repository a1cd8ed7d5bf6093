"""Consumer faults: the quarantine, infrastructure waits for status, inbox retention index.

- ``messaging.quarantine``: records whose dead letter could not be written, with their bytes.
- ``messaging.consumer_waits``: consumer processes waiting on the database or the broker.
- A BRIN index on ``messaging.inbox.processed_at`` for the retention sweep: rows arrive in
  time order, so a BRIN index finds the old ones for a few pages of index and costs the hot
  insert path next to nothing (a B-tree would add a write per handled record).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "messaging"


def upgrade() -> None:
    _quarantine()
    _consumer_waits()
    op.create_index(
        "ix_inbox_processed_at",
        "inbox",
        ["processed_at"],
        schema=SCHEMA,
        postgresql_using="brin",
    )


def _quarantine() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("record_timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=True),
        sa.Column("key_size", sa.Integer(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=True),
        sa.Column("value_size", sa.Integer(), nullable=False),
        sa.Column("value_sha256", sa.Text(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=False),
        sa.Column("exception_type", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "quarantined_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("replay_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint(
            "consumer_group",
            "topic",
            "partition",
            "offset",
            name=op.f("uq_quarantine_consumer_group_topic_partition_offset"),
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_quarantine_unresolved",
        "quarantine",
        ["consumer_group", "quarantined_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("resolution IS NULL"),
    )


def _consumer_waits() -> None:
    op.create_table(
        "consumer_waits",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("member", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("partitions", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer", "member", name=op.f("pk_consumer_waits")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_processed_at", table_name="inbox", schema=SCHEMA)
    op.drop_table("consumer_waits", schema=SCHEMA)
    op.drop_index("ix_quarantine_unresolved", table_name="quarantine", schema=SCHEMA)
    op.drop_table("quarantine", schema=SCHEMA)

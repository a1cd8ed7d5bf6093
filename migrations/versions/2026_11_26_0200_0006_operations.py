"""Operator tooling: dead-letter replay jobs, per-record outcomes, resolutions, audit trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "messaging"
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    _jobs()
    _job_records()
    _resolutions()
    _audit()


def _jobs() -> None:
    op.create_table(
        "dead_letter_jobs",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("selection", postgresql.JSONB(), nullable=False),
        sa.Column("destination", sa.Text()),
        sa.Column("rate_per_second", sa.Float()),
        sa.Column("max_replays", sa.Integer(), nullable=False),
        sa.Column("force", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("export_path", sa.Text()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter_jobs")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_dead_letter_jobs_consumer_group_created_at",
        "dead_letter_jobs",
        ["consumer_group", "created_at"],
        schema=SCHEMA,
    )


def _job_records() -> None:
    op.create_table(
        "dead_letter_job_records",
        sa.Column("job_id", UUID, nullable=False),
        sa.Column("dlq_topic", sa.Text(), nullable=False),
        sa.Column("dlq_partition", sa.Integer(), nullable=False),
        sa.Column("dlq_offset", sa.BigInteger(), nullable=False),
        sa.Column("event_id", UUID),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("replay_count", sa.Integer(), nullable=False),
        sa.Column(
            "already_processed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("detail", sa.Text()),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "job_id", "dlq_partition", "dlq_offset", name=op.f("pk_dead_letter_job_records")
        ),
        schema=SCHEMA,
    )
    # A record is pending in at most one job: the second job over it fails to insert its plan.
    op.create_index(
        "uq_dead_letter_job_records_pending",
        "dead_letter_job_records",
        ["dlq_topic", "dlq_partition", "dlq_offset"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("outcome = 'pending'"),
    )
    op.create_index(
        "ix_dead_letter_job_records_event_id",
        "dead_letter_job_records",
        ["event_id"],
        schema=SCHEMA,
    )


def _resolutions() -> None:
    op.create_table(
        "dead_letter_resolutions",
        sa.Column("dlq_topic", sa.Text(), nullable=False),
        sa.Column("dlq_partition", sa.Integer(), nullable=False),
        sa.Column("dlq_offset", sa.BigInteger(), nullable=False),
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", UUID),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("job_id", UUID, nullable=False),
        sa.Column(
            "resolved_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "dlq_topic", "dlq_partition", "dlq_offset", name=op.f("pk_dead_letter_resolutions")
        ),
        schema=SCHEMA,
    )


def _audit() -> None:
    op.create_table(
        "dead_letter_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("job_id", UUID),
        sa.Column("reason", sa.Text()),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter_audit")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_dead_letter_audit_consumer_group_at",
        "dead_letter_audit",
        ["consumer_group", "at"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "dead_letter_audit",
        "dead_letter_resolutions",
        "dead_letter_job_records",
        "dead_letter_jobs",
    ):
        op.drop_table(table, schema=SCHEMA)

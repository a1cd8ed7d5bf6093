"""Order intake: service clients, upstream submissions and their Idempotency-Keys.

``orders.submissions`` holds one row per (client, external reference): its primary key is what
makes a retried submission one order. ``orders.intake_keys`` binds a client's Idempotency-Key to
a request body for 24 hours. ``identity.service_clients`` stores only a hash of each secret.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 14:00:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _created_at(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    uuid = postgresql.UUID(as_uuid=True)
    op.create_table(
        "submissions",
        sa.Column("client_id", uuid, nullable=False),
        sa.Column("external_reference", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("order_id", uuid, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("answer", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("priced_by", sa.Text(), nullable=True),
        _created_at("submitted_at"),
        sa.CheckConstraint(
            "channel IN ('http', 'kafka')", name=op.f("ck_submissions_channel_known")
        ),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'rejected')", name=op.f("ck_submissions_outcome_known")
        ),
        sa.PrimaryKeyConstraint("client_id", "external_reference", name=op.f("pk_submissions")),
        schema="orders",
    )
    op.create_index(op.f("ix_submissions_order_id"), "submissions", ["order_id"], schema="orders")
    op.create_table(
        "intake_keys",
        sa.Column("client_id", uuid, nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("external_reference", sa.Text(), nullable=False),
        _created_at("created_at"),
        sa.PrimaryKeyConstraint("client_id", "idempotency_key", name=op.f("pk_intake_keys")),
        schema="orders",
    )
    op.create_table(
        "service_clients",
        sa.Column("id", uuid, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        _created_at("created_at"),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_service_clients_name")),
        schema="identity",
    )


def downgrade() -> None:
    op.drop_table("service_clients", schema="identity")
    op.drop_table("intake_keys", schema="orders")
    op.drop_index(op.f("ix_submissions_order_id"), table_name="submissions", schema="orders")
    op.drop_table("submissions", schema="orders")

"""Consumer runtime: last error per group; notifications recorded before they are sent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _consumer_errors()
    _notification_delivery()
    _order_contacts()


def _consumer_errors() -> None:
    op.create_table(
        "consumer_errors",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("exception_type", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_consumer_errors")),
        schema="messaging",
    )


def _notification_delivery() -> None:
    table, schema = "notifications", "notifications"
    op.add_column(
        table,
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        schema=schema,
    )
    op.add_column(
        table,
        sa.Column("body", sa.Text(), server_default=sa.text("''"), nullable=False),
        schema=schema,
    )
    op.add_column(
        table,
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema=schema,
    )
    op.add_column(table, sa.Column("last_error", sa.Text()), schema=schema)
    op.add_column(table, sa.Column("last_attempt_at", sa.DateTime(timezone=True)), schema=schema)
    op.create_check_constraint(
        op.f("ck_notifications_status_known"),
        table,
        "status IN ('pending', 'sent', 'failed')",
        schema=schema,
    )
    op.create_index(
        "ix_notifications_pending",
        table,
        ["created_at"],
        schema=schema,
        postgresql_where=sa.text("status <> 'sent'"),
    )


def _order_contacts() -> None:
    op.create_table(
        "order_contacts",
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_contacts")),
        schema="notifications",
    )


def downgrade() -> None:
    op.drop_table("order_contacts", schema="notifications")
    op.drop_index("ix_notifications_pending", "notifications", schema="notifications")
    op.drop_constraint(
        op.f("ck_notifications_status_known"), "notifications", schema="notifications"
    )
    for column in ("last_attempt_at", "last_error", "attempts", "body", "status"):
        op.drop_column("notifications", column, schema="notifications")
    op.drop_table("consumer_errors", schema="messaging")

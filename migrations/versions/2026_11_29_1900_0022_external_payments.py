"""Payments taken upstream: ``payments.external_payments``, one row per order an upstream
service submitted as paid (``payment: {"method": "external", ...}``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_payments",
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_external_payments_amount_not_negative")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_external_payments")),
        schema="payments",
    )


def downgrade() -> None:
    op.drop_table("external_payments", schema="payments")

"""Fulfillment: the carrier calls, recorded in the transaction that decides them.

They are made after that transaction committed, with an idempotency key, and marked done
afterwards (see ``domains/fulfillment/calls.py``). Shipments gain a ``cancelling`` status and
orders a ``cancellation_requested`` one; neither column has a check constraint to change.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "fulfillment"


def upgrade() -> None:
    op.create_table(
        "carrier_calls",
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("shipment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "operation IN ('book', 'hand_over', 'void')",
            name=op.f("ck_carrier_calls_operation_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_carrier_calls_status_known")
        ),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_carrier_calls")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_carrier_calls_shipment_id"), "carrier_calls", ["shipment_id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_carrier_calls_shipment_id"), table_name="carrier_calls", schema=SCHEMA)
    op.drop_table("carrier_calls", schema=SCHEMA)

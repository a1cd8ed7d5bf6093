"""Intake Idempotency-Keys expire: a BRIN index on ``orders.intake_keys.created_at``.

The job ``intake:key-retention`` deletes keys older than their 24 h, a batch at a time; keys
arrive in time order, so a BRIN index finds the old ones in a few pages at next to no cost for
the intake's writes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_intake_keys_created_at",
        "intake_keys",
        ["created_at"],
        schema="orders",
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_intake_keys_created_at", "intake_keys", schema="orders")

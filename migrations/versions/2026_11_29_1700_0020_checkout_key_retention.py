"""Checkout Idempotency-Keys expire: a BRIN index on ``orders.checkout_requests.created_at``.

The retention sweep deletes completed keys older than the retention window, a batch at a time.
Keys arrive in time order, so a BRIN index finds the old ones in a few index pages and costs
the checkout's insert next to nothing (a B-tree would add a write to every checkout).

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_checkout_requests_created_at",
        "checkout_requests",
        ["created_at"],
        schema="orders",
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_checkout_requests_created_at", "checkout_requests", schema="orders")

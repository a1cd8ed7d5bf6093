"""Recommendations read model: what each order contributes, the pair counts, freshness.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 13:00:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "recommendations"


def _updated_at() -> sa.Column[datetime]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.create_table(
        "orders",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("skus", postgresql.ARRAY(sa.Text())),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("counted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        schema=SCHEMA,
    )
    op.create_table(
        "pairs",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("other_sku", sa.Text(), nullable=False),
        sa.Column("orders", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _updated_at(),
        sa.PrimaryKeyConstraint("sku", "other_sku", name=op.f("pk_pairs")),
        schema=SCHEMA,
    )
    op.create_index("ix_pairs_sku_orders", "pairs", ["sku", "orders"], schema=SCHEMA)
    op.create_table(
        "freshness",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("behind_seconds", sa.Double(), nullable=False),
        sa.Column("lag", sa.Integer(), nullable=False),
        sa.Column(
            "checked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_freshness")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    # drops data: the pair counts; a new consumer group (or the same one reset to the
    # beginning) recounts them from the topics after the next upgrade.
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")

"""Quarantine: why the record's copy was refused, apart from why the record failed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "quarantine",
        sa.Column("rejection", sa.Text(), server_default="", nullable=False),
        schema="messaging",
    )


def downgrade() -> None:
    op.drop_column("quarantine", "rejection", schema="messaging")

"""Drop ``ix_notifications_pending``: no query reads it, and the tables never declared it.

Delivery finds a message's unsent rows by event id (the unique ``(event_id, kind)`` key); the
partial index on ``created_at`` only cost a write per notification. ``alembic check`` found it
as the one difference between the migrated database and the table definitions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_notifications_pending", "notifications", schema="notifications")


def downgrade() -> None:
    op.create_index(
        "ix_notifications_pending",
        "notifications",
        ["created_at"],
        schema="notifications",
        postgresql_where=sa.text("status <> 'sent'"),
    )

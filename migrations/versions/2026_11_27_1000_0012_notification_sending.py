"""Notifications: a ``sending`` state, held while the SMTP call is in flight.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_notifications_status_known"


def upgrade() -> None:
    op.drop_constraint(op.f(NAME), "notifications", schema="notifications")
    op.create_check_constraint(
        op.f(NAME),
        "notifications",
        "status IN ('pending', 'sending', 'sent', 'failed')",
        schema="notifications",
    )


def downgrade() -> None:
    op.execute("UPDATE notifications.notifications SET status = 'pending' WHERE status = 'sending'")
    op.drop_constraint(op.f(NAME), "notifications", schema="notifications")
    op.create_check_constraint(
        op.f(NAME),
        "notifications",
        "status IN ('pending', 'sent', 'failed')",
        schema="notifications",
    )

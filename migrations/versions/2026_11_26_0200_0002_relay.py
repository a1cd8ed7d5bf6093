"""Outbox relay: retention, parking and relay bookkeeping.

* ``ix_events_held``: the (tiny) set of parked rows, looked up by key when claiming so that
  later rows of a parked key wait behind it.
* ``ix_events_published_at``: lets the retention loop find expired published rows without
  scanning the table.
* ``ix_events_key``: ``orderflow outbox republish --aggregate``. A *hash* index: marking a
  row published writes a new row version and so an entry in every index; a hash entry costs
  PostgreSQL about half of a ``(key, id)`` B-tree entry, a quarter of the relay's ``UPDATE``.
  Republishing only looks keys up by equality and sorts the few rows of one aggregate.
* Aggressive autovacuum on ``outbox.events``: it is a queue, rows are updated once and deleted
  soon after, so dead tuples must be reclaimed long before the 20 % default.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARKED = "parked_at IS NOT NULL AND published_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_events_held",
        "events",
        ["topic", "key", "id"],
        schema="outbox",
        postgresql_where=sa.text(PARKED),
    )
    op.create_index(
        "ix_events_published_at",
        "events",
        ["published_at"],
        schema="outbox",
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index("ix_events_key", "events", ["key"], schema="outbox", postgresql_using="hash")
    op.execute(
        "ALTER TABLE outbox.events SET (autovacuum_vacuum_scale_factor = 0.01,"
        " autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE outbox.events RESET (autovacuum_vacuum_scale_factor,"
        " autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)"
    )
    op.drop_index("ix_events_key", "events", schema="outbox")
    op.drop_index("ix_events_published_at", "events", schema="outbox")
    op.drop_index("ix_events_held", "events", schema="outbox")

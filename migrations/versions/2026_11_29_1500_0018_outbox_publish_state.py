"""Outbox publish state in narrow tables: publishing deletes a small row, never rewrites an event.

Before: marking a row published was an ``UPDATE`` of ``outbox.events`` — a new ~1.1 KB row
version (the partial indexes name ``published_at``, so never a HOT update) plus an entry in
every index; measured at about 1,770 bytes of WAL and 27-35 us of PostgreSQL time per row,
as much as the insert itself.

After:

* ``outbox.events`` is written once and only deleted by retention: the payload store and
  the retained history that ``orderflow outbox republish`` sends again.
* ``outbox.pending`` (lane, id, topic, key): one narrow row per event waiting for the relay,
  written by a statement trigger in the inserting transaction (every writer, COPY too). The
  trigger's NOTIFY now names the lanes it enqueued, so only the relay holding them claims.
  Publishing deletes it: about 56 bytes of WAL and 7-12 us per row, no index entry written.
  Its primary key ``(lane, id)`` is the claim order.
* ``outbox.parked``: rows the broker can never accept, with their error, waiting for an
  operator; later rows of their key are held (``ix_parked_topic_key_id``).
* Retention counts from ``created_at`` (a BRIN index: nearly free to maintain on an
  append-only table) and never deletes a pending or parked row.

A published row is therefore one in ``outbox.events`` that is in neither table. Stop the
relays before upgrading or downgrading. The downgrade restores the columns; the publish time
it cannot know is set to the creation time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Expand and contract in one step for the relay only: the previous release's relay reads and
# writes the dropped columns. Its API and consumers keep working (they never name them, and the
# trigger enqueues their inserts), so stop the old relays, upgrade, then start the new ones.
DESTRUCTIVE = "expand+contract in one step: stop the old relays before upgrading"

# A queue: rows live for milliseconds, so dead ones must go long before the 20 % default.
QUEUE_VACUUM = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,"
    " autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000"
)
# The notification names the lanes enqueued ("3,17"): only the relay holding them claims.
ENQUEUE = """
    CREATE FUNCTION outbox.enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO outbox.pending (lane, id, topic, key)
        SELECT lane, id, topic, key FROM new_rows;
        PERFORM pg_notify(
            'outbox_events',
            (SELECT coalesce(string_agg(DISTINCT lane::text, ','), '') FROM new_rows)
        );
        RETURN NULL;
    END $$
"""
NOTIFY_RELAY = """
    CREATE FUNCTION outbox.notify_relay() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
    END $$
"""


def upgrade() -> None:
    _create_state_tables()
    op.execute(
        "INSERT INTO outbox.pending (lane, id, topic, key, attempts)"
        " SELECT lane, id, topic, key, attempts FROM outbox.events"
        " WHERE published_at IS NULL AND parked_at IS NULL"
    )
    op.execute(
        "INSERT INTO outbox.parked (id, lane, topic, key, attempts, last_error, parked_at)"
        " SELECT id, lane, topic, key, attempts, coalesce(last_error, ''), parked_at"
        " FROM outbox.events WHERE parked_at IS NOT NULL AND published_at IS NULL"
    )
    op.execute("DROP TRIGGER events_notify_relay ON outbox.events")
    op.execute("DROP FUNCTION outbox.notify_relay()")
    op.execute(ENQUEUE)
    op.execute(
        "CREATE TRIGGER events_enqueue AFTER INSERT ON outbox.events"
        " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox.enqueue()"
    )
    for index in ("ix_events_pending", "ix_events_held", "ix_events_published_at"):
        op.drop_index(index, "events", schema="outbox")
    for column in ("published_at", "parked_at", "attempts", "last_error"):
        op.drop_column("events", column, schema="outbox")
    op.create_index(
        "ix_events_created_at",
        "events",
        ["created_at"],
        schema="outbox",
        postgresql_using="brin",
        postgresql_with={"autosummarize": "on"},
    )


def _create_state_tables() -> None:
    op.create_table(
        "pending",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("lane", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("lane", "id", name=op.f("pk_pending")),
        schema="outbox",
    )
    op.execute(f"ALTER TABLE outbox.pending SET ({QUEUE_VACUUM})")
    op.create_table(
        "parked",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("lane", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked")),
        schema="outbox",
    )
    op.create_index("ix_parked_topic_key_id", "parked", ["topic", "key", "id"], schema="outbox")


def downgrade() -> None:
    op.drop_index("ix_events_created_at", "events", schema="outbox")
    op.add_column("events", sa.Column("published_at", sa.DateTime(timezone=True)), schema="outbox")
    op.add_column(
        "events",
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="outbox",
    )
    op.add_column("events", sa.Column("last_error", sa.Text()), schema="outbox")
    op.add_column("events", sa.Column("parked_at", sa.DateTime(timezone=True)), schema="outbox")
    op.execute(
        "UPDATE outbox.events AS e SET published_at = e.created_at"
        " WHERE NOT EXISTS (SELECT FROM outbox.pending AS p WHERE p.lane = e.lane AND p.id = e.id)"
        " AND NOT EXISTS (SELECT FROM outbox.parked AS k WHERE k.id = e.id)"
    )
    op.execute(
        "UPDATE outbox.events AS e SET attempts = p.attempts"
        " FROM outbox.pending AS p WHERE p.lane = e.lane AND p.id = e.id"
    )
    op.execute(
        "UPDATE outbox.events AS e SET parked_at = k.parked_at, attempts = k.attempts,"
        " last_error = k.last_error FROM outbox.parked AS k WHERE k.id = e.id"
    )
    _restore_indexes()
    op.execute("DROP TRIGGER events_enqueue ON outbox.events")
    op.execute("DROP FUNCTION outbox.enqueue()")
    op.execute(NOTIFY_RELAY)
    op.execute(
        "CREATE TRIGGER events_notify_relay AFTER INSERT ON outbox.events"
        " FOR EACH STATEMENT EXECUTE FUNCTION outbox.notify_relay()"
    )
    op.drop_index("ix_parked_topic_key_id", "parked", schema="outbox")
    op.drop_table("parked", schema="outbox")
    op.drop_table("pending", schema="outbox")


def _restore_indexes() -> None:
    op.create_index(
        "ix_events_pending",
        "events",
        ["lane", "id"],
        schema="outbox",
        postgresql_where=sa.text("published_at IS NULL AND parked_at IS NULL"),
    )
    op.create_index(
        "ix_events_held",
        "events",
        ["topic", "key", "id"],
        schema="outbox",
        postgresql_where=sa.text("parked_at IS NOT NULL AND published_at IS NULL"),
    )
    op.create_index(
        "ix_events_published_at",
        "events",
        ["published_at"],
        schema="outbox",
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )

"""Fair delivery tracking: when each shipped parcel was last asked about, and a backoff for
the parcels the carrier does not know.

Tracking asked about the least recently *changed* shipments first, so parcels that never
change (unknown to the carrier, or slow) stayed at the head of every pass and starved the
others. ``last_tracked_at`` orders the passes round robin; ``unknown_answers`` and
``next_track_at`` space out the questions about a parcel the carrier keeps saying it does not
have. A partial index serves the pass's ordered read of shipped parcels only. All additions:
nullable, or with a server default, so old code runs on the new schema.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "fulfillment"


def upgrade() -> None:
    op.add_column(
        "shipments",
        sa.Column("last_tracked_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    op.add_column(
        "shipments",
        sa.Column("unknown_answers", sa.Integer(), server_default="0", nullable=False),
        schema=SCHEMA,
    )
    op.add_column(
        "shipments",
        sa.Column("next_track_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_shipments_to_track",
        "shipments",
        [sa.text("last_tracked_at NULLS FIRST"), "shipped_at", "id"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'shipped'"),
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_to_track", table_name="shipments", schema=SCHEMA)
    op.drop_column("shipments", "next_track_at", schema=SCHEMA)
    op.drop_column("shipments", "unknown_answers", schema=SCHEMA)
    op.drop_column("shipments", "last_tracked_at", schema=SCHEMA)

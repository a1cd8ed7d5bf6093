"""Drop ``payments.attempts``: nothing ever wrote or read it.

Every provider call is already measured (``orderflow_payment_provider_call_seconds`` by
operation and outcome) and logged; the intent row and its events record each outcome, and the
provider keeps its own ledger under our idempotency keys. A per-call row would add a write per
provider call, retries and reconciliation lookups included, to a table with no reader.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The contract step of a table no released code ever wrote or read: old code running next to
# this schema does not notice it is gone.
DESTRUCTIVE = "contract: payments.attempts never had a writer or a reader"


def upgrade() -> None:
    op.drop_index("ix_attempts_intent_id", "attempts", schema="payments")
    op.drop_table("attempts", schema="payments")


def downgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("intent_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column(
            "attempted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["payments.intents.id"],
            name=op.f("fk_attempts_intent_id_intents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        schema="payments",
    )
    op.create_index("ix_attempts_intent_id", "attempts", ["intent_id"], schema="payments")

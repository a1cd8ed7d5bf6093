"""Orders state machine, idempotency keys, payments, fulfillment shipments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)


def _now() -> "sa.Column[datetime]":
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _updated() -> "sa.Column[datetime]":
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    for schema in ("payments", "fulfillment"):
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    _orders()
    _payments()
    _fulfillment()


def _orders() -> None:
    op.add_column("orders", _updated(), schema="orders")
    op.create_table(
        "checkout_requests",
        sa.Column("customer_id", UUID, nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("order_id", UUID),
        sa.Column("response_status", sa.SmallInteger()),
        sa.Column("response_body", postgresql.JSONB()),
        _now(),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed')", name=op.f("ck_checkout_requests_status_known")
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "idempotency_key", name=op.f("pk_checkout_requests")
        ),
        schema="orders",
    )
    op.create_index(
        op.f("ix_checkout_requests_order_id"), "checkout_requests", ["order_id"], schema="orders"
    )


def _payments() -> None:
    op.create_table(
        "intents",
        sa.Column("id", UUID, nullable=False),
        sa.Column("order_id", UUID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("provider_reference", sa.Text()),
        sa.Column("decline_code", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settle_by", sa.DateTime(timezone=True), nullable=False),
        _now(),
        _updated(),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_intents_amount_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
        sa.UniqueConstraint("order_id", name=op.f("uq_intents_order_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_intents_idempotency_key")),
        schema="payments",
    )
    op.create_index(
        "ix_intents_unsettled",
        "intents",
        ["created_at"],
        schema="payments",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("intent_id", UUID, nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column(
            "attempted_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
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
    op.create_table(
        "refunds",
        sa.Column("id", UUID, nullable=False),
        sa.Column("intent_id", UUID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("provider_reference", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _now(),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_refunds_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["intent_id"], ["payments.intents.id"], name=op.f("fk_refunds_intent_id_intents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("intent_id", name=op.f("uq_refunds_intent_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_refunds_idempotency_key")),
        schema="payments",
    )


def _fulfillment() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", UUID, nullable=False),
        sa.Column("order_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("carrier", sa.Text()),
        sa.Column("tracking_number", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        _now(),
        _updated(),
        sa.Column("shipped_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_id", name=op.f("uq_shipments_order_id")),
        schema="fulfillment",
    )


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS fulfillment CASCADE")
    op.execute("DROP SCHEMA IF EXISTS payments CASCADE")
    op.drop_table("checkout_requests", schema="orders")
    op.drop_column("orders", "updated_at", schema="orders")

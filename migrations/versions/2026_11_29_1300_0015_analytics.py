"""Analytics read model: facts per order, order line, payment, refund and product.

Every field group has its own version guard (see ``consumers/analytics/tables.py``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 13:00:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "analytics"
UUID = postgresql.UUID(as_uuid=True)


def _version(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def _updated_at() -> sa.Column[datetime]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _at(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True))


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.create_table(
        "orders",
        sa.Column("id", UUID, nullable=False),
        sa.Column("customer_id", UUID),
        sa.Column("currency", sa.Text()),
        sa.Column("total_minor", sa.BigInteger()),
        sa.Column("items", sa.Integer()),
        sa.Column("channel", sa.Text()),
        _at("placed_at"),
        _at("confirmed_at"),
        _at("cancelled_at"),
        sa.Column("cancel_reason", sa.Text()),
        _at("refunded_at"),
        sa.Column("refunded_minor", sa.BigInteger()),
        _version("placed_version"),
        _version("confirmed_version"),
        _version("cancelled_version"),
        _version("refunded_version"),
        _version("version"),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        schema=SCHEMA,
    )
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"], schema=SCHEMA)
    op.create_table(
        "order_lines",
        sa.Column("order_id", UUID, nullable=False),
        sa.Column("line_no", sa.SmallInteger(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        _version("placed_version"),
        _version("version"),
        _updated_at(),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
        schema=SCHEMA,
    )
    op.create_index("ix_order_lines_sku", "order_lines", ["sku"], schema=SCHEMA)
    op.create_table(
        "payments",
        sa.Column("id", UUID, nullable=False),
        sa.Column("order_id", UUID),
        sa.Column("currency", sa.Text()),
        sa.Column("amount_minor", sa.BigInteger()),
        _at("authorized_at"),
        _at("declined_at"),
        sa.Column("decline_code", sa.Text()),
        _version("authorized_version"),
        _version("declined_version"),
        _version("version"),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        schema=SCHEMA,
    )
    op.create_table(
        "refunds",
        sa.Column("id", UUID, nullable=False),
        sa.Column("payment_id", UUID, nullable=False),
        sa.Column("order_id", UUID, nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        _version("refund_version"),
        _version("version"),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        schema=SCHEMA,
    )
    op.create_table(
        "products",
        sa.Column("id", UUID, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("active", sa.Boolean()),
        sa.Column("price_minor", sa.BigInteger()),
        sa.Column("currency", sa.Text()),
        _version("details_version"),
        _version("price_version"),
        _version("version"),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        schema=SCHEMA,
    )
    op.create_index("ix_products_sku", "products", ["sku"], schema=SCHEMA)


def downgrade() -> None:
    # drops data: the analytics facts; `orderflow analytics rebuild` recreates them from the
    # topics after the next upgrade (within the topics' retention).
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")

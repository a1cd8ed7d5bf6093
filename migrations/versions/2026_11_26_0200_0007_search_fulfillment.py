"""Search read model: products and orders with a generated tsvector and a GIN index each.

Every field group has its own version guard (see ``consumers/search/tables.py``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "search"
UUID = postgresql.UUID(as_uuid=True)

# Frozen copies of the expressions at this revision (a later change gets its own migration).
PRODUCT_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', sku), 'A') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'B')"
)
ORDER_DOCUMENT = (
    "setweight(to_tsvector('simple', id::text), 'A') || "
    "setweight(to_tsvector('simple', coalesce(payment_reference, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(skus, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(customer_id::text, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(status, '')), 'C')"
)


def _version(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def _updated_at() -> sa.Column[datetime]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _document(expression: str) -> sa.Column[str]:
    return sa.Column("document", postgresql.TSVECTOR(), sa.Computed(expression, persisted=True))


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.create_table(
        "products",
        sa.Column("id", UUID, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("price_minor", sa.BigInteger()),
        sa.Column("currency", sa.Text()),
        _version("details_version"),
        _version("price_version"),
        _version("version"),
        _updated_at(),
        _document(PRODUCT_DOCUMENT),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_products_document", "products", ["document"], schema=SCHEMA, postgresql_using="gin"
    )
    op.create_table(
        "orders",
        sa.Column("id", UUID, nullable=False),
        sa.Column("customer_id", UUID),
        sa.Column("currency", sa.Text()),
        sa.Column("total_minor", sa.BigInteger()),
        sa.Column("skus", sa.Text()),
        sa.Column("placed_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.Text()),
        sa.Column("payment_reference", sa.Text()),
        _version("placed_version"),
        _version("status_version"),
        _version("payment_version"),
        _version("version"),
        _updated_at(),
        _document(ORDER_DOCUMENT),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_orders_document", "orders", ["document"], schema=SCHEMA, postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_table("orders", schema=SCHEMA)
    op.drop_table("products", schema=SCHEMA)
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA}")

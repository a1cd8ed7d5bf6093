"""Catalog (products, prices, inventory reservations) and identity (users, password resets).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMAS = ("catalog", "identity")
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    for schema in SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    _products()
    _reservations()
    _identity()


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _products() -> None:
    op.create_table(
        "products",
        sa.Column("id", UUID, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_products_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
        schema="catalog",
    )
    op.create_table(
        "stock_levels",
        sa.Column("product_id", UUID, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("available >= 0", name=op.f("ck_stock_levels_available_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog.products.id"],
            name=op.f("fk_stock_levels_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("sku", name=op.f("uq_stock_levels_sku")),
        schema="catalog",
    )


def _reservations() -> None:
    op.create_table(
        "reservations",
        sa.Column("id", UUID, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        schema="catalog",
    )
    op.create_table(
        "reservation_items",
        sa.Column("reservation_id", UUID, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservation_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["catalog.reservations.id"],
            name=op.f("fk_reservation_items_reservation_id_reservations"),
        ),
        sa.PrimaryKeyConstraint("reservation_id", "sku", name=op.f("pk_reservation_items")),
        schema="catalog",
    )


def _identity() -> None:
    op.create_table(
        "users",
        sa.Column("id", UUID, nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        schema="identity",
    )
    op.create_table(
        "password_resets",
        sa.Column("id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _at("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["identity.users.id"], name=op.f("fk_password_resets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
        schema="identity",
    )
    op.create_index(
        op.f("ix_password_resets_user_id"), "password_resets", ["user_id"], schema="identity"
    )


def downgrade() -> None:
    for schema in reversed(SCHEMAS):
        op.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

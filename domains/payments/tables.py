"""Tables of the ``payments`` schema. No card data: only the provider's references."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="payments", naming_convention=NAMING_CONVENTION)

intents = Table(
    "intents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("provider_reference", Text),
    Column("decline_code", Text),
    Column("version", Integer, nullable=False),
    Column("settle_by", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    Index("ix_intents_unsettled", "created_at", postgresql_where=text("status = 'pending'")),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("intent_id", ForeignKey("payments.intents.id"), nullable=False, unique=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("provider_reference", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)


# A payment an upstream service took itself (an order submitted with ``payment: external``):
# recorded so that nobody ever asks our provider to refund it.
external_payments = Table(
    "external_payments",
    metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("reference", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)

"""The ``notifications.notifications`` table: every message we decided to send, and when."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import UUID

from outbox import NAMING_CONVENTION

metadata = MetaData(schema="notifications", naming_convention=NAMING_CONVENTION)

notifications = Table(
    "notifications",
    metadata,
    Column("message_id", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("order_id", UUID(as_uuid=True)),
    Column("correlation_id", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", "kind"),
)

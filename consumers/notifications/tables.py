"""The ``notifications.notifications`` table: every message we decided to send, and its fate.

A row is written (status ``pending``) in the consumer's transaction, before any attempt to
send; the delivery effect claims it (``sending``) just before the SMTP call and moves it to
``sent``, back to ``pending``, or to ``failed`` (a permanent rejection); see ``sending.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="notifications", naming_convention=NAMING_CONVENTION)

notifications = Table(
    "notifications",
    metadata,
    Column("message_id", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    Column("order_id", UUID(as_uuid=True)),
    Column("correlation_id", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", "kind"),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
)

order_contacts = Table(
    "order_contacts",
    metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True), nullable=False),
    Column("currency", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

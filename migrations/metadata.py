"""Every table the migrations manage, for ``alembic revision --autogenerate``."""

from consumers.notifications import metadata as notifications_metadata
from consumers.runtime import metadata as messaging_metadata
from domains.orders.api import metadata as orders_metadata
from outbox import metadata as outbox_metadata

target_metadata = [orders_metadata, outbox_metadata, messaging_metadata, notifications_metadata]

"""Every table the migrations manage, for ``alembic revision --autogenerate``."""

from consumers.analytics import metadata as analytics_metadata
from consumers.notifications import metadata as notifications_metadata
from consumers.operations import metadata as operations_metadata
from consumers.recommendations import metadata as recommendations_metadata
from consumers.runtime import metadata as messaging_metadata
from consumers.search import metadata as search_metadata
from domains.catalog.api import metadata as catalog_metadata
from domains.fulfillment.api import metadata as fulfillment_metadata
from domains.identity.api import metadata as identity_metadata
from domains.orders.api import metadata as orders_metadata
from domains.payments.api import metadata as payments_metadata
from domains.shared.rate_limits import metadata as limits_metadata
from outbox import metadata as outbox_metadata

target_metadata = [
    catalog_metadata,
    identity_metadata,
    orders_metadata,
    payments_metadata,
    fulfillment_metadata,
    outbox_metadata,
    messaging_metadata,
    notifications_metadata,
    operations_metadata,
    search_metadata,
    analytics_metadata,
    recommendations_metadata,
    limits_metadata,
]

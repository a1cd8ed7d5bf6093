"""The notifications consumer: emails customers about their orders."""

from consumers.notifications.consumer import notifications_consumer
from consumers.notifications.tables import metadata, notifications

__all__ = ["metadata", "notifications", "notifications_consumer"]

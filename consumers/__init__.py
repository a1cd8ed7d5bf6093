"""The consumer runtime and the consumers built on it."""

from consumers.fulfillment import Carrier, fulfillment_consumer
from consumers.notifications import Mailer, RecipientDirectory, ResetLinks, notifications_consumer
from consumers.orders_saga import orders_saga_consumer
from consumers.runtime import Consumer, ConsumerRuntime, RetryPolicy
from consumers.search import search_consumer


def build_consumers(
    mailer: Mailer | None = None,
    reset_links: ResetLinks | None = None,
    carrier: Carrier | None = None,
    recipients: RecipientDirectory | None = None,
) -> dict[str, Consumer]:
    """The groups this deployment runs, by name, wired to their external dependencies."""
    groups = (
        notifications_consumer(mailer, recipients, reset_links=reset_links),
        search_consumer(),
        fulfillment_consumer(carrier),
        orders_saga_consumer(),
    )
    return {c.name: c for c in groups}


# With default dependencies (an SMTP server on 127.0.0.1:1025): names and topics for tooling.
CONSUMERS: dict[str, Consumer] = build_consumers()

__all__ = ["CONSUMERS", "Consumer", "ConsumerRuntime", "RetryPolicy", "build_consumers"]

"""The consumer runtime and the consumers built on it."""

from consumers.notifications import notifications_consumer
from consumers.runtime import Consumer, ConsumerRuntime

CONSUMERS: dict[str, Consumer] = {c.name: c for c in (notifications_consumer,)}

__all__ = ["CONSUMERS", "Consumer", "ConsumerRuntime"]

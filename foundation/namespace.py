"""The namespace of one deployment on a shared Kafka cluster: a topic prefix and an event source.

Every topic a deployment reads or writes is ``topic_prefix + <logical name>``: the event topics
of the registry (``orders.order.v1`` → ``blue.orders.order.v1``) and, through its consumer
groups (``blue.notifications``), their retry and dead-letter topics
(``blue.notifications.retry.1``, ``blue.notifications.dlq``). Two deployments with different
prefixes on one cluster — tests and ``make run``, staging and a load test — never read each
other's events. The contracts keep the logical names; only the wire carries the prefix.

``event_source`` is the CloudEvents ``source`` of the deployment; each event's is
``<event_source>/<domain>`` (``/orderflow/orders`` by default).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SOURCE = "/orderflow"


@dataclass(frozen=True)
class Namespace:
    """Where a deployment's events live: ``topic_prefix`` and the CloudEvents ``event_source``."""

    topic_prefix: str = ""
    event_source: str = DEFAULT_SOURCE

    def topic(self, logical: str) -> str:
        """The topic on the wire of a logical topic name."""
        return self.topic_prefix + logical

    def within(self, topic: str) -> str:
        """The topic on the wire an operator means by ``topic``: the prefix is added unless it
        is there already (``orders.order.v1`` and ``blue.orders.order.v1`` are the same)."""
        return topic if self.topic_prefix and self.owns(topic) else self.topic(topic)

    def group(self, name: str) -> str:
        """The consumer group id of a logical group name (its retry and DLQ topics follow)."""
        return self.topic_prefix + name

    def owns(self, topic: str) -> bool:
        """Whether ``topic`` (or a group id) is in this namespace."""
        return topic.startswith(self.topic_prefix)

    def logical(self, topic: str) -> str:
        """The logical name of a topic of this namespace (other names are returned as given)."""
        return topic[len(self.topic_prefix) :] if self.owns(topic) else topic

    def source(self, domain: str) -> str:
        """The CloudEvents ``source`` of the events ``domain`` emits."""
        return f"{self.event_source}/{domain}"


# No prefix, the default source: topics as the contracts name them.
DEFAULT_NAMESPACE = Namespace()

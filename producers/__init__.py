"""The Kafka publishing side: the idempotent producer, topic creation."""

from producers.producer import DEFAULT_MAX_REQUEST_BYTES, create_producer, publish_records
from producers.topics import TopicSpec, ensure_topics

__all__ = [
    "DEFAULT_MAX_REQUEST_BYTES",
    "TopicSpec",
    "create_producer",
    "ensure_topics",
    "publish_records",
]

"""The Kafka publishing side: connection settings, the idempotent producer, topic creation."""

from producers.connection import KafkaConnection
from producers.producer import DEFAULT_MAX_REQUEST_BYTES, create_producer, publish_records
from producers.topics import TopicSpec, ensure_topics

__all__ = [
    "DEFAULT_MAX_REQUEST_BYTES",
    "KafkaConnection",
    "TopicSpec",
    "create_producer",
    "ensure_topics",
    "publish_records",
]

"""What talks to PostgreSQL and Kafka: the engine and the producers of one process.

Light on purpose: operator commands that need only an engine import this, not the consumers.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.database import create_engine
from orderflow.settings import Settings
from producers import DEFAULT_MAX_REQUEST_BYTES, create_producer


def database_engine(settings: Settings) -> AsyncEngine:
    """The pooled engine of one process."""
    return create_engine(settings.database.url, pool_size=settings.database.pool_size)


def producer(settings: Settings) -> AIOKafkaProducer:
    """The idempotent producer of a consumer group (retry tiers, dead letters)."""
    return create_producer(settings.kafka.connection())


def relay_producer(settings: Settings) -> AIOKafkaProducer:
    """The relay's producer: it refuses, client side, a record the relay would park anyway."""
    relay = settings.relay
    return create_producer(
        settings.kafka.connection(),
        linger_ms=relay.linger_ms,
        max_request_size=max(relay.max_record_bytes, DEFAULT_MAX_REQUEST_BYTES),
    )

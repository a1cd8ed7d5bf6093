"""What talks to PostgreSQL and Kafka: the engine and the producers of one process.

Light on purpose: operator commands that need only an engine import this, not the consumers.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from foundation.database import create_engine, create_sessions
from foundation.producer import Producer
from orderflow.build import current_build
from orderflow.settings import Settings
from producers import DEFAULT_MAX_REQUEST_BYTES, create_producer


def database_engine(settings: Settings) -> AsyncEngine:
    """The pooled engine of one process."""
    return create_engine(settings.database.url, pool_size=settings.database.pool_size)


def database_sessions(settings: Settings, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory of one process: on ``engine``, in the deployment's namespace (the
    events its units of work write name their topic and source with it), as this build (they
    carry it in ``ce_producerversion``)."""
    return create_sessions(engine, settings.deployment.namespace(), producer=running_producer())


def running_producer() -> Producer:
    """The build this process runs, as the events it writes name it."""
    build = current_build()
    return Producer(build.version, build.commit, build.dirty)


def group_prefix(settings: Settings) -> str:
    """What every consumer group id of this deployment starts with: the namespace's prefix,
    then ``ORDERFLOW_CONSUMER_GROUP_PREFIX``."""
    return settings.deployment.namespace().group(settings.consumers.group_prefix)


def group_id(settings: Settings, name: str) -> str:
    """The Kafka group id of consumer group ``name`` in this deployment (a name that is
    already a full group id is kept)."""
    prefix = group_prefix(settings)
    return name if prefix and name.startswith(prefix) else prefix + name


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

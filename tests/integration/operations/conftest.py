"""Fixtures of the dead-letter tooling tests: a desk on the session's PostgreSQL and Kafka."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from consumers.operations import DeadLetterDesk
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings


@pytest.fixture
def desk(engine: AsyncEngine, kafka: KafkaConnection) -> DeadLetterDesk:
    """The operator's desk."""
    return DeadLetterDesk(engine, kafka)


@pytest.fixture
def group(settings: Settings, unique: str) -> str:
    """A consumer group name of its own for each test, in the session's namespace (its
    topics are deleted with the session's)."""
    return f"{settings.deployment.topic_prefix}ops-{unique}"

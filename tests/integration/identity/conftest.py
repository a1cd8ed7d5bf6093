"""Identity fixtures: the catalog's and identity's Kafka topics (HTTP tests touch both)."""

from __future__ import annotations

import pytest

import events.schemas  # noqa: F401  (registers every event)
from events import registry
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics


@pytest.fixture(scope="session", autouse=True)
async def catalog_and_identity_topics(kafka: KafkaConnection) -> None:
    """Our event topics exist, so a relay running later in this session can publish our rows.

    (Without them, rows these tests leave in the shared outbox stall other tests' relays.)
    """
    names = [t for t in registry.topics() if t.startswith(("catalog.", "identity."))]
    await ensure_topics(kafka, [TopicSpec(name) for name in names])

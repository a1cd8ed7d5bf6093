"""Every topic the deployment uses exists before a test talks to Kafka (topics are never
auto-created), so outbox rows one test leaves behind never stall a relay in another. The test
session is a deployment of its own (its topic prefix): its topics are deleted at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from orderflow.settings import Settings
from orderflow.topics import prepare_topics
from orderflow.wiring.deployment import deployed_consumers


@pytest.fixture(scope="session", autouse=True)
async def deployment_topics(settings: Settings) -> AsyncIterator[None]:
    """Create the event, retry and dead-letter topics of the session's deployment; delete every
    topic of its namespace afterwards (a shared broker keeps whatever is not deleted)."""
    await prepare_topics(settings, deployed_consumers(settings).values())
    yield
    prefix = settings.deployment.topic_prefix
    assert prefix, "a test session runs in a namespace of its own"
    admin = AIOKafkaAdminClient(**settings.kafka.connection().client_options())
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()

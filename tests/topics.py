"""Every topic the deployment uses exists before a test talks to Kafka (topics are never
auto-created), so outbox rows one test leaves behind never stall a relay in another."""

from __future__ import annotations

import pytest

from orderflow.settings import Settings
from orderflow.topics import prepare_topics
from orderflow.wiring.deployment import deployed_consumers


@pytest.fixture(scope="session", autouse=True)
async def deployment_topics(settings: Settings) -> None:
    """Create the event, retry and dead-letter topics of the deployment once per session."""
    await prepare_topics(settings, deployed_consumers(settings).values())

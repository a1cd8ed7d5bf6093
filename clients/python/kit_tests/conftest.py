"""The kit's tests: run in a clean virtualenv with only the built wheel installed.

Subscriber tests run in memory (FastStream's ``TestKafkaBroker``) and, when
``ORDERFLOW_EVENTS_TEST_KAFKA`` names a broker, the same tests again against that broker.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REAL_KAFKA = os.environ.get("ORDERFLOW_EVENTS_TEST_KAFKA", "")
MODES = ["memory", *(["real"] if REAL_KAFKA else [])]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``memory`` (TestKafkaBroker) or ``real`` (the same test against a broker)."""
    return str(request.param)


@pytest.fixture
def prefix() -> str:
    """A topic prefix of this test alone: its topics are fresh on a real broker."""
    return f"kit-test-{uuid.uuid4().hex[:10]}."


@pytest.fixture
async def topics(mode: str, prefix: str) -> AsyncIterator[list[str]]:
    """Topics a test creates on the real broker (its broker auto-creates none)."""
    created: list[str] = []
    yield created
    if mode == "real" and created:
        admin = AIOKafkaAdminClient(bootstrap_servers=REAL_KAFKA)
        await admin.start()
        try:
            await admin.delete_topics(created)
        finally:
            await admin.close()


async def create_topics(names: list[str]) -> None:
    """Create ``names`` with one partition each on the real broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=REAL_KAFKA)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(n, num_partitions=1, replication_factor=1) for n in names]
        )
    finally:
        await admin.close()

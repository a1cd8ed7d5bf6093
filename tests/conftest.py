"""Shared fixtures. Integration and e2e tests get a fresh, migrated database per session on the
real PostgreSQL and Kafka (from the environment, testcontainers, or the dev tooling)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.infrastructure import Infrastructure, ensure_infrastructure
from foundation.kafka import KafkaConnection
from orderflow.settings import (
    DatabaseSettings,
    DeploymentSettings,
    IdentitySettings,
    KafkaSettings,
    RateLimitSettings,
    RelaySettings,
    Settings,
)
from orderflow.wiring.connections import database_engine, database_sessions
from tests.support.databases import migrated_database
from tests.support.identity import CHEAP_HASHING

TESTS = Path(__file__).parent
# Logs of the e2e and fault suites are scanned for secrets (tests/support/log_scan.py); the
# fault scenarios' figures are summed up at the end of the run (tests/faults/reporting.py);
# `make test WORKERS=2` runs two workers (tests/support/parallel.py).
pytest_plugins = [
    "tests.support.log_scan",
    "tests.faults.reporting",
    "tests.support.parallel",
    "tests.private_pair.fixtures",
]
# Every test session is a deployment of its own on the shared broker: its topics and consumer
# groups carry this prefix, so it never reads the events of `make run` or of another session.
TOPIC_PREFIX = f"test-{uuid.uuid4().hex[:8]}."
RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def pytest_make_parametrize_id(val: object) -> str | None:
    """A random UUID in a parameter shows as ``{id}`` in the test's id: every process of a
    parallel run (xdist's workers) must collect the same test ids."""
    if isinstance(val, uuid.UUID):
        return "{id}"
    if isinstance(val, str) and RANDOM_ID.search(val):
        return RANDOM_ID.sub("{id}", val)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the folder it lives in."""
    for item in items:
        kind = Path(item.fspath).relative_to(TESTS).parts[0]
        if kind in ("unit", "integration", "e2e", "faults", "deploy"):
            item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
async def infrastructure() -> Infrastructure:
    """The running PostgreSQL + Kafka pair."""
    return await ensure_infrastructure()


@pytest.fixture(scope="session")
async def database_url(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A fresh database, migrated to head, dropped after the session."""
    async with migrated_database(infrastructure.database_url) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, infrastructure: Infrastructure) -> Settings:
    """Settings pointing at the test database and the Kafka of this session; cheap password
    hashing, and rate limits off unless a test turns them on (every test client is 127.0.0.1)."""
    return Settings(
        database=DatabaseSettings(url=database_url),
        kafka=KafkaSettings(bootstrap_servers=infrastructure.kafka_bootstrap_servers),
        deployment=DeploymentSettings(topic_prefix=TOPIC_PREFIX),
        relay=RelaySettings(poll_interval_seconds=0.2),
        identity=IdentitySettings(**CHEAP_HASHING),  # type: ignore[arg-type]
        rate_limits=RateLimitSettings(enabled=False),
    )


@pytest.fixture(scope="session")
def kafka(settings: Settings) -> KafkaConnection:
    """The Kafka connection of this session."""
    return settings.kafka.connection()


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """One engine on the test database."""
    engine = database_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(settings: Settings, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test database, in the session's namespace."""
    return database_sessions(settings, engine)


@pytest.fixture
def unique() -> str:
    """A short unique suffix for topic and group names."""
    return uuid.uuid4().hex[:10]


os.environ.setdefault("ORDERFLOW_LOG_FORMAT", "console")

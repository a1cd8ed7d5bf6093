"""The PostgreSQL + Kafka pair from ``ensure_infrastructure()`` answers."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.engine import make_url

from devtools.infrastructure import Infrastructure, ensure_infrastructure

pytestmark = pytest.mark.integration


async def test_ensure_infrastructure_is_stable() -> None:
    first = await ensure_infrastructure()
    second = await ensure_infrastructure()
    assert first == second
    assert first.origin in ("environment", "testcontainers", "dev")


async def test_postgres_answers(infrastructure: Infrastructure) -> None:
    dsn = make_url(infrastructure.database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        assert await connection.fetchval("select 1") == 1
    finally:
        await connection.close()


async def test_kafka_answers_metadata(infrastructure: Infrastructure) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka_bootstrap_servers)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert cluster["brokers"]
    assert isinstance(topics, list)

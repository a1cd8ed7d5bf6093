"""One call that gives tests and tools a PostgreSQL + Kafka pair, wherever it comes from.

Order: the environment (both ``ORDERFLOW_DATABASE_URL`` and ``ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS``
set), then testcontainers when a Docker engine answers, then the dev tooling
(``orderflow dev up``). Containers started here are stopped when the process exits (``atexit``),
or earlier by ``release_infrastructure()``; testcontainers' reaper removes them should the
process die without running its exit handlers. Dev services are left running, like ``up`` does.
"""

from __future__ import annotations

import asyncio
import atexit
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from devtools.config import DATABASE_NAME, DATABASE_URL_VAR, KAFKA_BOOTSTRAP_VAR
from devtools.stack import INFRASTRUCTURE, dev_stack, up
from devtools.system import progress

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

Origin = Literal["environment", "testcontainers", "dev"]
POSTGRES_IMAGE = "postgres:15"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"  # Confluent Platform 7.9 = Apache Kafka 3.9


@dataclass(frozen=True)
class Infrastructure:
    """Where the application finds PostgreSQL and Kafka."""

    database_url: str
    kafka_bootstrap_servers: str
    origin: Origin


@dataclass
class _Started:
    containers: list[DockerContainer] = field(default_factory=list)
    infrastructure: Infrastructure | None = None


_started = _Started()


def infrastructure_from_environment(environ: Mapping[str, str]) -> Infrastructure | None:
    """The pair named by the environment, when both variables are set (and not blank)."""
    database_url = environ.get(DATABASE_URL_VAR, "").strip()
    bootstrap = environ.get(KAFKA_BOOTSTRAP_VAR, "").strip()
    if database_url and bootstrap:
        return Infrastructure(database_url, bootstrap, "environment")
    return None


def docker_available() -> bool:
    """Whether a Docker engine answers (testcontainers needs one)."""
    try:
        import docker  # noqa: PLC0415 - imported only when testcontainers is considered

        client = docker.from_env()
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no engine, no socket, no permission: all mean "no Docker"
        return False


def _start_containers() -> Infrastructure:
    from testcontainers.community.kafka import KafkaContainer  # noqa: PLC0415 - costly, rare
    from testcontainers.community.postgres import PostgresContainer  # noqa: PLC0415

    atexit.register(release_infrastructure)
    postgres = PostgresContainer(
        POSTGRES_IMAGE,
        username="postgres",
        password="postgres",  # noqa: S106 - a throwaway container on a random local port
        dbname=DATABASE_NAME,
        driver="asyncpg",
    )
    progress(f"Starting {POSTGRES_IMAGE} with testcontainers")
    _started.containers.append(postgres.start())
    kafka = KafkaContainer(KAFKA_IMAGE).with_kraft()
    for key, value in {
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_NUM_PARTITIONS": "3",
        "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "5",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS": "5",
    }.items():
        kafka.with_env(key, value)
    progress(f"Starting {KAFKA_IMAGE} with testcontainers")
    _started.containers.append(kafka.start(timeout=90))
    return Infrastructure(
        postgres.get_connection_url(), kafka.get_bootstrap_server(), "testcontainers"
    )


def release_infrastructure() -> None:
    """Stop the containers this process started (dev services keep running)."""
    while _started.containers:
        _started.containers.pop().stop()
    _started.infrastructure = None


async def ensure_infrastructure() -> Infrastructure:
    """A running PostgreSQL + Kafka pair: from the environment, testcontainers or the dev tooling.

    The result is remembered for the life of the process (containers start once).
    """
    given = infrastructure_from_environment(os.environ)
    if given is not None:
        return given
    if _started.infrastructure is not None:
        return _started.infrastructure
    if await asyncio.to_thread(docker_available):
        _started.infrastructure = await asyncio.to_thread(_start_containers)
    else:
        stack = dev_stack()
        await up(stack, INFRASTRUCTURE)
        _started.infrastructure = Infrastructure(
            stack.database_url, stack.kafka_bootstrap_servers, "dev"
        )
    return _started.infrastructure

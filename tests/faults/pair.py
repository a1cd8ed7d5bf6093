"""The private PostgreSQL + Kafka pair of one fault scenario."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command

from foundation.kafka import KafkaConnection
from orderflow.cli.db import alembic_config
from tests.private_pair import PrivateBroker, PrivatePostgres


@dataclass(frozen=True)
class Pair:
    """A migrated ``orderflow`` database on a private cluster, and a private broker."""

    postgres: PrivatePostgres
    broker: PrivateBroker

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the ``orderflow`` database (what the processes get)."""
        return self.postgres.url()

    @property
    def dsn(self) -> str:
        """The same database for asyncpg."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://")

    @property
    def kafka(self) -> KafkaConnection:
        """Client settings of the broker."""
        return self.broker.connection


@asynccontextmanager
async def private_pair(kafka_root: Path) -> AsyncIterator[Pair]:
    """Start both, migrate the database; stop and delete both at the end, whatever happened."""
    postgres, broker = PrivatePostgres(), PrivateBroker(kafka_root)
    try:
        await asyncio.gather(postgres.start(), broker.start())
        await asyncio.to_thread(command.upgrade, alembic_config(postgres.url()), "head")
        yield Pair(postgres, broker)
    finally:
        await broker.stop()
        await postgres.destroy()

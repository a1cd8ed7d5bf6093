"""Readiness checks: each raises :class:`NotReady` (or anything else) when its part does not answer.

A check is an async callable without arguments; :class:`~orderflow.health.readiness.Readiness`
runs them with a deadline each, so a check never needs a timeout of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaClient
from aiokafka.protocol.metadata import MetadataRequest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.kafka import KafkaConnection
from outbox.inspect import read_gauges

Check = Callable[[], Awaitable[None]]


class NotReady(Exception):
    """A part answered, but not as it should (the message says how)."""


def database(engine: AsyncEngine) -> Check:
    """PostgreSQL answers ``SELECT 1`` through ``engine``'s pool."""

    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def outbox_age(engine: AsyncEngine, max_age_seconds: float) -> Check:
    """The oldest unpublished outbox row is younger than ``max_age_seconds`` (the relay's SLO)."""

    async def check() -> None:
        async with engine.connect() as conn:
            age = (await read_gauges(conn)).oldest_age_seconds
        if age > max_age_seconds:
            raise NotReady(
                f"the oldest unpublished outbox row is {age:.0f} s old "
                f"(objective {max_age_seconds:g} s): see `orderflow outbox status`"
            )

    return check


class KafkaMetadata:
    """A broker answers a metadata request (for no topic: cheap on a cluster of many topics).

    One client for the life of the process: a check reuses its connection instead of opening
    one per probe. Close it with :meth:`close`.
    """

    def __init__(self, connection: KafkaConnection) -> None:
        self._connection = connection
        self._client: AIOKafkaClient | None = None
        self._bootstrapped = False

    async def __call__(self) -> None:
        """Raise unless a broker of the cluster answers now."""
        if self._client is None:  # created here: the client binds the running loop
            self._client = AIOKafkaClient(**self._connection.client_options())
        if not self._bootstrapped:
            await self._client.bootstrap()
            self._bootstrapped = True
        node = self._client.get_random_node()
        if node is None:
            raise NotReady("the cluster metadata names no broker")
        response = await self._client.send(node, MetadataRequest([]))
        if not response.brokers:
            raise NotReady("the broker answered with no broker in the cluster")

    async def close(self) -> None:
        """Close the client's connections (a later check opens new ones)."""
        client, self._client, self._bootstrapped = self._client, None, False
        if client is not None:
            await client.close()

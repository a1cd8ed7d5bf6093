"""The long-running processes: API, relay, consumers — alone or all in one process, each job
supervised (:mod:`orderflow.supervision`)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from consumers import Consumer, ConsumerRuntime
from consumers.runtime import until_infrastructure_answers
from consumers.runtime.heap import prepare_heap
from orderflow.health import Readiness, listen, serve
from orderflow.http import create_app
from orderflow.settings import Settings
from orderflow.topics import Topics
from orderflow.wiring.connections import database_sessions, producer, relay_producer
from orderflow.wiring.deployment import relay_options, retry_policy
from orderflow.wiring.pools import DatabasePools, pools_of
from outbox import OutboxRelay


async def run_api(
    settings: Settings,
    stop: asyncio.Event,
    *,
    listening: socket.socket | None = None,
    readiness: Readiness | None = None,
    started: Callable[[], None] | None = None,
    pools: DatabasePools | None = None,
) -> None:
    """Serve the HTTP API until ``stop`` is set (on ``listening`` when given, bound up front).

    The API needs no broker, and answers 503 while the database is away: nothing but its own
    port can keep it from serving, and a port that is taken is a :class:`UserError`.
    ``readiness``: the checks of ``/readyz`` (default: the API's database); ``started``: called
    once the API accepts requests; ``pools``: the process's (default: the API's own).
    """
    if listening is None:
        listening = api_socket(settings)
    try:
        async with pools_of(settings, pools) as own:
            app = create_app(
                own.critical, background=own.background, settings=settings, readiness=readiness
            )
            await serve(app, listening, stop, started=started)
    finally:
        if readiness is not None:
            await readiness.close()


def api_socket(settings: Settings) -> socket.socket:
    """The API's listening socket: a port in use is one clear error."""
    return listen(
        settings.http.host, settings.http.port, serves="the API", change="set ORDERFLOW_HTTP_PORT"
    )


async def run_relay(
    settings: Settings, topics: Topics, stop: asyncio.Event, pools: DatabasePools | None = None
) -> None:
    """Publish the outbox until ``stop`` is set (once the deployment's topics exist); its
    housekeeping on the background pool of ``pools`` (default: its own)."""
    await topics.ready()
    async with pools_of(settings, pools) as own:
        await _relay(settings, own.background, stop)


async def _relay(settings: Settings, engine: AsyncEngine, stop: asyncio.Event) -> None:
    relay = OutboxRelay(
        engine,
        relay_producer(settings),
        batch_size=settings.relay.batch_size,
        poll_interval=settings.relay.poll_interval_seconds,
        options=relay_options(settings),
        producer_factory=lambda: relay_producer(settings),
    )
    # A full collection walking the startup heap stalled the relay for tens of milliseconds
    # (the commit -> ack p99): what a consumer process does against it suits the relay too.
    prepare_heap()
    try:
        await relay.producer.start()
        await relay.run(stop)
    finally:
        await relay.producer.stop()


async def run_consumer(
    settings: Settings,
    consumer: Consumer,
    topics: Topics,
    stop: asyncio.Event,
    pools: DatabasePools | None = None,
) -> None:
    """Run one consumer group until ``stop`` is set (once the deployment's topics exist), on
    the background pool of ``pools`` (default: its own)."""
    await topics.ready()
    async with pools_of(settings, pools) as own:
        await _consume(settings, consumer, own.background, stop)


async def _consume(
    settings: Settings, consumer: Consumer, engine: AsyncEngine, stop: asyncio.Event
) -> None:
    group_producer = producer(settings)
    policy = retry_policy(settings)
    try:  # a broker away at start is waited for, like any outage
        if await until_infrastructure_answers(
            stop, policy, consumer.name, "start_producer", group_producer.start
        ):
            runtime = ConsumerRuntime(
                consumer,
                database_sessions(settings, engine),
                settings.kafka.connection(),
                group_producer,
                policy=policy,
            )
            await runtime.run(stop)
    finally:
        await group_producer.stop()

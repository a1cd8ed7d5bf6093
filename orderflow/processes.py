"""The long-running processes: API, relay, consumers — alone or all in one process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from typing import Any

import structlog
import uvicorn

from consumers import Consumer, ConsumerRuntime
from consumers.runtime import until_infrastructure_answers
from foundation.database import create_sessions
from orderflow.http import create_app
from orderflow.settings import Settings
from orderflow.wiring.connections import database_engine, producer, relay_producer
from orderflow.wiring.deployment import relay_options, retry_policy, topic_specs
from outbox import OutboxRelay
from producers import ensure_topics

log = structlog.get_logger("orderflow")

Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


async def run_api(settings: Settings, stop: asyncio.Event) -> None:
    """Serve the HTTP API until ``stop`` is set."""
    app = create_app(database_engine(settings), dispose_engine=True, settings=settings)
    config = uvicorn.Config(
        app, host=settings.http.host, port=settings.http.port, log_config=None, access_log=False
    )
    server = _EmbeddedServer(config)
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to :func:`supervise`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run_relay(settings: Settings, stop: asyncio.Event) -> None:
    """Publish the outbox until ``stop`` is set."""
    engine = database_engine(settings)
    relay = OutboxRelay(
        engine,
        relay_producer(settings),
        batch_size=settings.relay.batch_size,
        poll_interval=settings.relay.poll_interval_seconds,
        options=relay_options(settings),
        producer_factory=lambda: relay_producer(settings),
    )
    await relay.producer.start()
    try:
        await relay.run(stop)
    finally:
        await relay.producer.stop()
        await engine.dispose()


async def run_consumer(settings: Settings, consumer: Consumer, stop: asyncio.Event) -> None:
    """Run one consumer group until ``stop`` is set."""
    engine = database_engine(settings)
    group_producer = producer(settings)
    policy = retry_policy(settings)
    try:  # a broker away at start is waited for, like any outage
        if await until_infrastructure_answers(
            stop, policy, consumer.name, "start_producer", group_producer.start
        ):
            runtime = ConsumerRuntime(
                consumer,
                create_sessions(engine),
                settings.kafka.connection(),
                group_producer,
                policy=policy,
            )
            await runtime.run(stop)
    finally:
        await group_producer.stop()
        await engine.dispose()


async def prepare_topics(settings: Settings, consumers: Iterable[Consumer]) -> None:
    """Create the topics this deployment needs (never left to broker auto-creation)."""
    created = await ensure_topics(settings.kafka.connection(), topic_specs(settings, consumers))
    if created:
        log.info("topics_created", topics=created)


async def supervise(jobs: Mapping[str, Job]) -> None:
    """Run ``jobs`` until SIGINT/SIGTERM or until one of them fails; stop the rest cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks: dict[asyncio.Task[None], str] = {
        asyncio.create_task(job(stop), name=name): name for name, job in jobs.items()
    }
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            log.error("job_failed", job=tasks[task], error=repr(result))
            raise result

"""The long-running jobs: API, relay, consumers — alone or all in one process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import structlog
import uvicorn
from aiokafka import AIOKafkaProducer

import events.schemas  # noqa: F401  (registers every event)
from consumers import Consumer, ConsumerRuntime, RetryPolicy, build_consumers
from consumers.notifications import IdentityDirectory, SmtpConfig, SmtpMailer
from consumers.runtime import group_topic_names
from events import registry
from foundation.database import create_sessions
from orderflow.fulfillment import http_carrier
from orderflow.http import create_app
from orderflow.http.auth import identity_settings, signing_secret
from orderflow.reset_links import IdentityResetLinks
from orderflow.settings import Settings
from orderflow.wiring import database_engine
from outbox import OutboxRelay, RelayOptions
from producers import DEFAULT_MAX_REQUEST_BYTES, TopicSpec, create_producer, ensure_topics

log = structlog.get_logger("orderflow")

Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def deployed_consumers(settings: Settings) -> dict[str, Consumer]:
    """The consumers of this deployment, by name, with the configured group prefix applied."""
    prefix = settings.consumers.group_prefix
    groups = build_consumers(
        smtp_mailer(settings), reset_links(settings), http_carrier(settings), IdentityDirectory()
    )
    return {name: replace(c, name=prefix + c.name) for name, c in groups.items()}


def smtp_mailer(settings: Settings) -> SmtpMailer:
    """The SMTP client of the notifications consumer, from the settings."""
    password = settings.smtp.password
    return SmtpMailer(
        SmtpConfig(
            host=settings.smtp.host,
            port=settings.smtp.port,
            sender=settings.smtp.sender,
            use_tls=settings.smtp.use_tls,
            start_tls=settings.smtp.start_tls,
            username=settings.smtp.username,
            password=password.get_secret_value() if password else None,
            timeout_seconds=settings.smtp.timeout_seconds,
        )
    )


def reset_links(settings: Settings) -> IdentityResetLinks:
    """Password-reset links for the notifications consumer, from the identity domain."""
    return IdentityResetLinks(
        lambda: identity_settings(settings, signing_secret(settings)),
        settings.identity.password_reset_url,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """Retry tiers and quick attempts of every consumer group, from the settings."""
    return RetryPolicy(
        tier_delays=tuple(settings.consumers.retry_delays_seconds),
        quick_attempts=settings.consumers.quick_attempts,
        batch_size=settings.consumers.batch_size,
    )


def topic_specs(settings: Settings, consumers: Iterable[Consumer]) -> list[TopicSpec]:
    """Every topic the system publishes to: event topics, the consumers' retry tiers and DLQs."""
    tiers = len(settings.consumers.retry_delays_seconds)
    owned = {t for c in consumers for t in group_topic_names(c.name, tiers)}
    names = sorted(registry.topics() | owned)
    return [
        TopicSpec(n, settings.kafka.topic_partitions, settings.kafka.topic_replication)
        for n in names
    ]


async def run_api(settings: Settings, stop: asyncio.Event) -> None:
    """Serve the HTTP API until ``stop`` is set."""
    app = create_app(database_engine(settings), dispose_engine=True)
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


def relay_options(settings: Settings) -> RelayOptions:
    """The relay's tuning knobs from the settings."""
    return RelayOptions(
        max_record_bytes=settings.relay.max_record_bytes,
        pipeline_depth=settings.relay.pipeline_depth,
        lane_refresh_seconds=settings.relay.lane_refresh_seconds,
        max_backoff_seconds=settings.relay.max_backoff_seconds,
        retention=timedelta(hours=settings.relay.retention_hours),
        cleanup_interval_seconds=settings.relay.cleanup_interval_seconds,
        cleanup_batch_size=settings.relay.cleanup_batch_size,
        gauge_interval_seconds=settings.relay.gauge_interval_seconds,
    )


async def run_relay(settings: Settings, stop: asyncio.Event) -> None:
    """Publish the outbox until ``stop`` is set."""
    engine = database_engine(settings)

    def new_producer() -> AIOKafkaProducer:
        # The producer refuses (client side) what the relay would park anyway.
        return create_producer(
            settings.kafka.connection(),
            linger_ms=settings.relay.linger_ms,
            max_request_size=max(settings.relay.max_record_bytes, DEFAULT_MAX_REQUEST_BYTES),
        )

    relay = OutboxRelay(
        engine,
        new_producer(),
        batch_size=settings.relay.batch_size,
        poll_interval=settings.relay.poll_interval_seconds,
        options=relay_options(settings),
        producer_factory=new_producer,
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
    producer = create_producer(settings.kafka.connection())
    await producer.start()
    try:
        runtime = ConsumerRuntime(
            consumer,
            create_sessions(engine),
            settings.kafka.connection(),
            producer,
            policy=retry_policy(settings),
        )
        await runtime.run(stop)
    finally:
        await producer.stop()
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

"""What a process waits for before its jobs start: PostgreSQL and Kafka.

A process started while one of them is away does not exit, and its jobs do not each fail,
log a traceback and back off on their own (``orderflow run`` has ten of them): every job that
needs a dependency awaits the process's one :class:`Dependency`, which probes it, logs one
``waiting_for_dependency`` line per attempt (which dependency, where, why, when it tries
again), backs off exponentially up to 30 s, and logs ``dependency_ready`` once it answers.
``orderflow_dependency_waiting{dependency}`` is 1 meanwhile.

Only the start is gated: an outage later is ridden out by each job (the consumer runtime, the
relay, the background jobs' backoff, the API's 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import structlog
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from foundation.jobs import Backoff, Stopped, pause
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from orderflow.supervision import Job

log = structlog.get_logger("orderflow.dependencies")

WAITING = Gauge(
    "orderflow_dependency_waiting",
    "1 while a process waits for a dependency to answer before starting its jobs",
    ["dependency"],
)

# A probe that takes longer than this counts as unanswered (a blackholed address would
# otherwise hold the first attempt for the driver's own, much longer, timeout).
PROBE_TIMEOUT_SECONDS = 5.0
WAITS = Backoff(initial_seconds=1.0, max_seconds=30.0)

Probe = Callable[[], Awaitable[None]]


@dataclass
class Dependency:
    """One dependency of a process: its name, its address (for the log) and how to probe it."""

    name: str
    address: str
    probe: Probe
    backoff: Backoff = WAITS

    def __post_init__(self) -> None:
        self._lock = asyncio.Lock()
        self._answered = False
        self._waited = False

    async def wait(self, stop: asyncio.Event) -> None:
        """Return once the dependency answered (at once if it already did in this process);
        raise :class:`Stopped` when ``stop`` is set first. Callers share one wait."""
        async with self._lock:
            if stop.is_set():
                raise Stopped
            if not self._answered:
                await self._until_it_answers(stop)
                self._answered = True

    async def _until_it_answers(self, stop: asyncio.Event) -> None:
        began = time.monotonic()
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=wait_exponential_jitter(
                multiplier=self.backoff.initial_seconds, max=self.backoff.max_seconds, jitter=0.5
            ),
            before_sleep=self._waiting,
            sleep=lambda seconds: pause(stop, seconds),
        )
        try:
            await retrying(self._probe_once)
        finally:
            WAITING.labels(self.name).set(0)
        if self._waited:
            waited = round(time.monotonic() - began, 1)
            log.info("dependency_ready", dependency=self.name, address=self.address, waited=waited)

    async def _probe_once(self) -> None:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await self.probe()

    def _waiting(self, state: RetryCallState) -> None:
        assert state.outcome is not None
        error = state.outcome.exception()
        self._waited = True
        WAITING.labels(self.name).set(1)
        log.warning(
            "waiting_for_dependency",
            dependency=self.name,
            address=self.address,
            error=f"{type(error).__name__}: {error}"[:300],
            attempt=state.attempt_number,
            retry_in=round(state.upcoming_sleep, 1),
        )


@dataclass(frozen=True)
class Dependencies:
    """The dependencies of one process, each probed once for all its jobs."""

    postgresql: Dependency
    kafka: Dependency

    @classmethod
    def of(cls, settings: Settings) -> Dependencies:
        """PostgreSQL and Kafka as ``settings`` name them."""
        url = settings.database.url
        connection = settings.kafka.connection()
        return cls(
            postgresql=Dependency("postgresql", _database_address(url), database_probe(url)),
            kafka=Dependency("kafka", connection.bootstrap_servers, kafka_probe(connection)),
        )


def gated(job: Job, *needs: Dependency) -> Job:
    """``job``, started once every dependency in ``needs`` answered."""

    async def run(stop: asyncio.Event) -> None:
        # All at once: the log names every dependency that is away, not just the first.
        waits = [dependency.wait(stop) for dependency in needs]
        outcomes = await asyncio.gather(*waits, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Stopped):
                raise outcome
        if not stop.is_set():
            await job(stop)

    return run


def announced(job: Job, *needs: Dependency) -> Job:
    """``job``, started at once, while the process logs its wait for ``needs`` (the API
    serves meanwhile: it answers 503 until the database does)."""

    async def run(stop: asyncio.Event) -> None:
        waiting = asyncio.create_task(gated(_answered, *needs)(stop))
        try:
            await job(stop)
        finally:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting

    return run


async def _answered(stop: asyncio.Event) -> None:
    """Nothing more to do once the dependencies answered."""


def _database_address(url: str) -> str:
    """``host:port/database`` of a SQLAlchemy URL (never its password)."""
    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def database_probe(url: str) -> Probe:
    """A probe of PostgreSQL: a fresh connection answers ``SELECT 1``."""

    async def probe() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    return probe


def kafka_probe(connection: KafkaConnection) -> Probe:
    """A probe of Kafka: an admin client bootstraps (a broker answers a metadata request)."""

    async def probe() -> None:
        admin = AIOKafkaAdminClient(**connection.client_options())
        try:
            with _quiet("aiokafka"):
                await admin.start()
        finally:
            await admin.close()

    return probe


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Silence ``logger`` below CRITICAL meanwhile: aiokafka logs an ERROR of its own for each
    refused bootstrap, and the wait already says so in one line."""
    target = logging.getLogger(logger)
    level = target.level
    target.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        target.setLevel(level)

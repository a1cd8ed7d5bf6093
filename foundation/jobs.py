"""Background jobs that keep going: a pass that fails backs off and runs again.

A periodic job is one *pass* (an async function) run every ``interval_seconds`` until ``stop``
is set. Whatever a pass raises — the database or the broker away, a partner timing out, a bug
— is logged and counted, and the pass runs again after a bounded exponential backoff with
jitter; a pass that completes records when. Only ``stop`` ends a job, so one failing job never
stops another one, or the process it runs in.

Metrics (label ``job``, e.g. ``payments:reconcile``): ``orderflow_job_failures_total`` and
``orderflow_job_last_success_timestamp_seconds`` (alert when it falls behind the interval).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from prometheus_client import Counter, Gauge
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

log = structlog.get_logger("orderflow.jobs")

FAILURES = Counter(
    "orderflow_job_failures_total",
    "Failed passes (or runs) of a background job; each backs off and runs again",
    ["job"],
)
LAST_SUCCESS = Gauge(
    "orderflow_job_last_success_timestamp_seconds",
    "When a background job last completed a pass (Unix time)",
    ["job"],
)

Pass = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Backoff:
    """How long a job waits after a failure: ``initial_seconds``, doubling up to
    ``max_seconds``, with jitter (several processes do not retry in step)."""

    initial_seconds: float = 1.0
    max_seconds: float = 60.0


class Stopped(Exception):
    """``stop`` was set while a job waited."""


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``; raise :class:`Stopped` as soon as ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    if stop.is_set():
        raise Stopped


def backing_off(
    job: str,
    backoff: Backoff,
    stop: asyncio.Event,
    *,
    event: str = "job_failed",
    fatal: tuple[type[Exception], ...] = (),
) -> AsyncRetrying:
    """Retry any exception of ``job`` (but ``fatal`` ones) for ever, backing off, until
    ``stop`` (then :class:`Stopped` is raised).

    Each failure is counted in ``orderflow_job_failures_total{job}`` and logged as ``event``.
    """

    def failed(state: RetryCallState) -> None:
        assert state.outcome is not None
        error = state.outcome.exception()
        FAILURES.labels(job).inc()
        log.warning(
            event,
            job=job,
            error=f"{type(error).__name__}: {error}"[:1000],
            attempt=state.attempt_number,
            retry_in=round(state.upcoming_sleep, 2),
        )

    return AsyncRetrying(
        retry=retry_if_exception(lambda e: isinstance(e, Exception) and not isinstance(e, fatal)),
        wait=wait_exponential_jitter(
            multiplier=backoff.initial_seconds,
            max=backoff.max_seconds,
            jitter=backoff.initial_seconds,
        ),
        before_sleep=failed,
        sleep=lambda seconds: pause(stop, seconds),
    )


async def run_every(
    job: str,
    step: Pass,
    interval_seconds: float,
    stop: asyncio.Event,
    *,
    backoff: Backoff = Backoff(),
) -> None:
    """Run ``step`` every ``interval_seconds`` until ``stop``; a failing pass backs off and
    runs again (any exception), a completed one sets the job's last-success time."""
    retrying = backing_off(job, backoff, stop)

    async def one_pass() -> None:
        await step()
        LAST_SUCCESS.labels(job).set(time.time())

    with contextlib.suppress(Stopped):
        while not stop.is_set():
            await retrying(one_pass)
            await pause(stop, interval_seconds)

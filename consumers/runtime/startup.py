"""Starting a consumer while the broker or the database is away: wait, never die."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from consumers.runtime import metrics
from consumers.runtime.errors import describe, infrastructure_cause
from consumers.runtime.policy import RetryPolicy

log = structlog.get_logger("orderflow.consumers")


class _Stopped(Exception):
    """``stop`` was set while waiting."""


async def until_infrastructure_answers(
    stop: asyncio.Event,
    policy: RetryPolicy,
    group: str,
    step: str,
    call: Callable[[], Awaitable[None]],
) -> bool:
    """Run ``call``, retrying infrastructure failures with backoff until ``stop`` is set.

    Returns False when stopped before ``call`` succeeded; any other error is raised (a
    misconfiguration, not an outage).
    """

    async def sleep(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        if stop.is_set():
            raise _Stopped

    def waiting(state: RetryCallState) -> None:
        assert state.outcome is not None
        error = state.outcome.exception()
        assert error is not None
        cause = infrastructure_cause(error)
        metrics.INFRASTRUCTURE_WAITS.labels(group, str(cause)).inc()
        log.warning(
            "waiting_for_infrastructure",
            group=group,
            step=step,
            cause=str(cause),
            attempt=state.attempt_number,
            retry_in=round(state.upcoming_sleep, 2),
            error=describe(error),
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception(lambda e: infrastructure_cause(e) is not None),
        wait=wait_exponential_jitter(
            multiplier=policy.stall_backoff_seconds, max=policy.stall_backoff_max_seconds
        ),
        before_sleep=waiting,
        sleep=sleep,
        reraise=True,
    )
    try:
        await retrying(call)
    except _Stopped:
        return False
    return True

"""Background jobs keep going: a pass that fails backs off and runs again, a failing job never
holds up another one, and only ``stop`` ends them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from prometheus_client import REGISTRY

from foundation.jobs import Backoff, run_every
from tests.support.polling import eventually

QUICK = Backoff(initial_seconds=0.01, max_seconds=0.05)


def failures(job: str) -> float:
    return REGISTRY.get_sample_value("orderflow_job_failures_total", {"job": job}) or 0


def last_success(job: str) -> float | None:
    return REGISTRY.get_sample_value("orderflow_job_last_success_timestamp_seconds", {"job": job})


class Flaky:
    """A pass that raises ``fail`` times (a different error each time), then succeeds."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.calls = 0
        self.succeeded = 0

    async def __call__(self) -> None:
        self.calls += 1
        errors = [OSError("connection refused"), TimeoutError(), RuntimeError("a bug")]
        if self.calls <= self.fail:
            raise errors[self.calls % len(errors)]
        self.succeeded += 1


async def test_a_pass_that_fails_backs_off_and_the_job_keeps_running() -> None:
    job, flaky, stop = "test:flaky", Flaky(fail=4), asyncio.Event()
    before = failures(job)
    running = asyncio.create_task(run_every(job, flaky, 0.01, stop, backoff=QUICK))

    await eventually(lambda: _at_least(lambda: flaky.succeeded, 3), 5, "passes after failures")

    assert failures(job) - before == 4
    assert last_success(job) is not None
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, 1)


async def test_a_job_failing_every_pass_never_holds_up_another() -> None:
    stop = asyncio.Event()
    broken, healthy = Flaky(fail=10**9), Flaky(fail=0)
    jobs = [
        asyncio.create_task(run_every("test:broken", broken, 0.01, stop, backoff=QUICK)),
        asyncio.create_task(run_every("test:healthy", healthy, 0.01, stop, backoff=QUICK)),
    ]

    await eventually(lambda: _at_least(lambda: healthy.succeeded, 20), 5, "the healthy job runs")

    assert broken.calls > 3
    assert broken.succeeded == 0
    assert last_success("test:broken") is None
    assert not any(job.done() for job in jobs)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*jobs), 1)


async def test_stop_ends_a_job_during_its_backoff() -> None:
    stop = asyncio.Event()
    slow = Backoff(initial_seconds=60, max_seconds=60)
    running = asyncio.create_task(
        run_every("test:stopped", Flaky(fail=10**9), 60, stop, backoff=slow)
    )
    await asyncio.sleep(0.05)  # now in its first 60 s backoff

    stop.set()

    await asyncio.wait_for(running, 1)


async def _at_least(count: Callable[[], int], wanted: int) -> bool:
    return count() >= wanted

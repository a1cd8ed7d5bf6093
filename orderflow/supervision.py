"""Supervision of a process's jobs: a job that fails is restarted; only a signal stops it all.

Every job of a process (the API, the relay, each consumer group, each background job) runs in
its own task. A job that raises — or returns without being asked to — is logged, counted in
``orderflow_job_failures_total{job}`` and restarted after a bounded exponential backoff, while
the others go on. SIGINT or SIGTERM stops every job cleanly. The one way out besides a signal
is a :class:`UserError` (a configuration that cannot work, such as a port already in use): it
is not retried, the other jobs are stopped and the process exits with its message.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from foundation.jobs import Backoff, Stopped, backing_off
from orderflow.cli.errors import UserError

Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
SIGNALS = (signal.SIGINT, signal.SIGTERM)

# The long-running jobs ride out infrastructure faults themselves, so a restart means something
# unexpected happened: try again soon, and no more often than every 30 s while it persists.
RESTARTS = Backoff(initial_seconds=1.0, max_seconds=30.0)


class JobEnded(Exception):
    """A job returned although nobody asked it to stop."""


async def keep_running(
    name: str, job: Job, stop: asyncio.Event, backoff: Backoff = RESTARTS
) -> None:
    """Run ``job`` until ``stop``; restart it with backoff whenever it raises or ends.

    A :class:`UserError` is not retried: it is raised (the process should exit with it).
    """
    retrying = backing_off(name, backoff, stop, event="job_crashed", fatal=(UserError,))

    async def run_once() -> None:
        await job(stop)
        if not stop.is_set():
            raise JobEnded(f"{name} returned without being stopped")

    with contextlib.suppress(Stopped):
        await retrying(run_once)


async def supervise(jobs: Mapping[str, Job], backoff: Backoff = RESTARTS) -> None:
    """Run ``jobs`` until SIGINT/SIGTERM, each restarted with backoff when it fails.

    A :class:`UserError` from one job stops the others and is raised once they stopped.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    tasks = [
        asyncio.create_task(keep_running(name, job, stop, backoff), name=name)
        for name, job in jobs.items()
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
    for result in results:
        if isinstance(result, BaseException):
            raise result

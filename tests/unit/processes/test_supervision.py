"""A process's jobs are supervised: one that raises or ends is restarted with backoff while the
others run on; a signal stops them all; a configuration error ends the process with its
message."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable

import pytest
from prometheus_client import REGISTRY

from foundation.jobs import Backoff
from orderflow.cli.errors import UserError
from orderflow.supervision import Job, supervise
from tests.support.polling import eventually

QUICK = Backoff(initial_seconds=0.01, max_seconds=0.05)


class Crashing:
    """A long-running job that crashes ``crashes`` times, then runs until stopped."""

    def __init__(self, crashes: int, *, returns: bool = False) -> None:
        self.crashes = crashes
        self.returns = returns
        self.starts = 0
        self.running = False

    async def __call__(self, stop: asyncio.Event) -> None:
        self.starts += 1
        if self.starts <= self.crashes:
            if self.returns:
                return  # ends by itself, as if its loop had a bug
            raise ConnectionResetError("broker connection lost")
        self.running = True
        await stop.wait()
        self.running = False


class Ticking:
    """A healthy job counting its ticks."""

    def __init__(self) -> None:
        self.ticks = 0

    async def __call__(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.ticks += 1
            await asyncio.sleep(0.005)


def _failures(job: str) -> float:
    return REGISTRY.get_sample_value("orderflow_job_failures_total", {"job": job}) or 0


async def test_a_crashing_job_is_restarted_while_the_others_run_and_a_signal_stops_all() -> None:
    crashing, returning, ticking = Crashing(3), Crashing(2, returns=True), Ticking()
    before = _failures("test:crashing")
    jobs: dict[str, Job] = {
        "test:crashing": crashing,
        "test:returning": returning,
        "test:ticking": ticking,
    }
    supervising = asyncio.create_task(supervise(jobs, QUICK))

    await eventually(_true(lambda: crashing.running and returning.running), 5, "restarted")
    ticks = ticking.ticks
    await eventually(_true(lambda: ticking.ticks > ticks + 5), 5, "the healthy job ticks on")

    assert crashing.starts == 4
    assert returning.starts == 3
    assert _failures("test:crashing") - before == 3
    assert not supervising.done()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(supervising, 2)
    assert not crashing.running
    assert not returning.running


async def test_a_configuration_error_stops_every_job_and_reaches_the_command() -> None:
    ticking = Ticking()

    async def misconfigured(stop: asyncio.Event) -> None:
        await asyncio.sleep(0.05)
        raise UserError("the API cannot listen on 127.0.0.1:80 (Permission denied)")

    with pytest.raises(UserError, match="cannot listen"):
        await asyncio.wait_for(supervise({"api": misconfigured, "tick": ticking}, QUICK), 2)
    ticks = ticking.ticks
    await asyncio.sleep(0.05)
    assert ticking.ticks == ticks  # stopped too


def _true(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return bool(check())

    return condition

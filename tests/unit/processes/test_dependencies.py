"""The jobs of a process start once their dependencies answer: one probe (and one log line) per
dependency and attempt however many jobs wait, backing off; a stop while waiting starts
nothing."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from foundation.jobs import Backoff
from orderflow.dependencies import Dependency, announced, gated
from tests.support.polling import eventually

QUICK = Backoff(initial_seconds=0.01, max_seconds=0.05)


class Flaky:
    """A probe refused ``refusals`` times, then answering."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.refusals:
            raise ConnectionRefusedError("connect call failed")


class Started:
    """A job that records that it started, then runs until stopped."""

    def __init__(self) -> None:
        self.started = False

    async def __call__(self, stop: asyncio.Event) -> None:
        self.started = True
        await stop.wait()


async def test_jobs_start_once_every_dependency_answered_one_line_per_attempt() -> None:
    database = Dependency("postgresql", "db:5432/orderflow", Flaky(3), QUICK)
    broker = Dependency("kafka", "kafka:9092", Flaky(1), QUICK)
    jobs = [Started() for _ in range(4)]
    stop = asyncio.Event()
    with capture_logs() as logs:
        tasks = [asyncio.create_task(gated(job, database, broker)(stop)) for job in jobs]
        await eventually(lambda: asyncio.sleep(0, all(j.started for j in jobs)), 5, "all started")
        stop.set()
        await asyncio.gather(*tasks)

    waits = [
        (e["dependency"], e["attempt"]) for e in logs if e["event"] == "waiting_for_dependency"
    ]
    assert sorted(waits) == [("kafka", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 3)]
    ready = {e["dependency"] for e in logs if e["event"] == "dependency_ready"}
    assert ready == {"postgresql", "kafka"}
    assert (database.probe.calls, broker.probe.calls) == (4, 2)  # type: ignore[attr-defined]


async def test_a_dependency_that_answered_is_not_probed_again() -> None:
    probe = Flaky(0)
    database = Dependency("postgresql", "db", probe, QUICK)
    stop = asyncio.Event()
    await database.wait(stop)
    await database.wait(stop)
    assert probe.calls == 1


@pytest.mark.parametrize("wrap", [gated, announced])
async def test_a_stop_while_waiting_ends_the_wait(wrap: object) -> None:
    never = Dependency("kafka", "kafka:9092", Flaky(10**6), QUICK)
    job, stop = Started(), asyncio.Event()
    task = asyncio.create_task(wrap(job, never)(stop))  # type: ignore[operator]
    await eventually(lambda: asyncio.sleep(0, never.probe.calls >= 3), 5, "probing")  # type: ignore[attr-defined]
    stop.set()
    await asyncio.wait_for(task, 5)
    # gated: the job never ran; announced: it ran from the start, the wait only logged.
    assert job.started is (wrap is announced)

"""The one wait/terminate helper of the dev tooling: polls, gives up, notices an exit, kills."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from devtools.processes import pid_alive, terminate, wait_for, wait_for_async

pytestmark = pytest.mark.unit

IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
)


@pytest.fixture
def stubborn() -> Iterator[subprocess.Popen[bytes]]:
    """A child that ignores SIGTERM (like a broker stuck in shutdown)."""
    child = subprocess.Popen([sys.executable, "-c", IGNORES_SIGTERM])
    time.sleep(0.3)  # let it install its handler before anyone signals it
    yield child
    child.kill()
    child.wait()


def test_a_condition_that_comes_true_is_seen() -> None:
    calls = iter([False, False, True])
    assert wait_for(lambda: next(calls), timeout=5, interval=0.01) is True


def test_a_condition_that_never_holds_gives_up() -> None:
    assert wait_for(lambda: False, timeout=0.2, interval=0.05) is False


def test_waiting_stops_as_soon_as_the_process_exited() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = time.monotonic()
    assert wait_for(lambda: False, timeout=60, pid=child.pid) is False
    assert time.monotonic() - started < 30  # long before the timeout
    assert not pid_alive(child.pid)


async def test_an_async_condition_is_awaited_until_it_holds() -> None:
    answers = iter([False, False, True])

    async def ready(answer: bool) -> bool:
        return answer

    # A lambda that returns a coroutine, as the Kafka readiness check passes it.
    assert await wait_for_async(lambda: ready(next(answers)), timeout=5, interval=0.01) is True
    assert next(answers, None) is None  # every answer was awaited, the last one was True


async def test_an_async_condition_that_never_holds_gives_up() -> None:
    async def never() -> bool:
        return False

    assert await wait_for_async(never, timeout=0.2, interval=0.05) is False


def test_terminate_kills_what_ignores_sigterm(stubborn: subprocess.Popen[bytes]) -> None:
    killed: list[bool] = []
    terminate(stubborn.pid, grace=0.5, on_kill=lambda: killed.append(True))
    assert killed == [True]
    assert not pid_alive(stubborn.pid)


def test_terminate_stops_a_process_that_listens() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed: list[bool] = []
    terminate(child.pid, grace=10, on_kill=lambda: killed.append(True))
    assert killed == []
    assert not pid_alive(child.pid)

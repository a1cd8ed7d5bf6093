"""The processes of the dev tooling: is one alive, wait until something holds, terminate one.

Every wait in the dev tooling (a port that opens, a broker that answers, a server that stops)
is one of :func:`wait_for` / :func:`wait_for_async`: poll until the condition holds, give up
after a timeout or as soon as the process being waited for has exited.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_result,
    stop_after_delay,
    stop_any,
    wait_fixed,
)
from tenacity.stop import stop_base

KILL_WAIT_SECONDS = 10.0


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (reaping it first if it is our finished child)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pidfile(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


class _Exited(stop_base):
    """Stop polling once the process being waited for is gone."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.pid is not None and not pid_alive(self.pid)


def _policy(timeout: float, interval: float, pid: int | None) -> dict[str, Any]:
    """Poll every ``interval`` s while the condition is false; stop at ``timeout`` or exit."""
    return {
        "stop": stop_any(stop_after_delay(timeout), _Exited(pid)),
        "wait": wait_fixed(interval),
        "retry": retry_if_result(lambda held: not held),
        "retry_error_callback": lambda _: False,  # gave up: the answer is "did not hold"
    }


def wait_for(
    condition: Callable[[], bool], *, timeout: float, interval: float = 0.1, pid: int | None = None
) -> bool:
    """Whether ``condition`` came true within ``timeout`` s (False early once ``pid`` exited)."""
    held: bool = Retrying(**_policy(timeout, interval, pid))(condition)
    return held


async def wait_for_async(
    condition: Callable[[], Awaitable[bool]],
    *,
    timeout: float,
    interval: float = 0.1,
    pid: int | None = None,
) -> bool:
    """:func:`wait_for` for an async ``condition``."""

    # tenacity awaits only what it recognizes as a coroutine function, which a lambda returning
    # a coroutine is not: without this wrapper the (truthy) coroutine object would be the answer.
    async def attempt() -> bool:
        return await condition()

    held: bool = await AsyncRetrying(**_policy(timeout, interval, pid))(attempt)
    return held


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def terminate(pid: int, *, grace: float, on_kill: Callable[[], None] | None = None) -> None:
    """SIGTERM ``pid``; SIGKILL it (after ``on_kill``) when it is still alive ``grace`` s later."""
    _signal(pid, signal.SIGTERM)
    if wait_for(lambda: not pid_alive(pid), timeout=grace, interval=0.2):
        return
    if on_kill is not None:
        on_kill()
    _signal(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), timeout=KILL_WAIT_SECONDS)

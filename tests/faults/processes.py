"""Real ``orderflow`` processes under a supervisor that kills and restarts them.

A supervisor (systemd, Kubernetes) restarts a process that exits, whatever the reason. The
harness does the same, but tells the two apart: a process the test killed is restarted as
part of the fault; a process that died by itself is restarted too, and recorded — an
infrastructure fault must never kill a process, so every such exit is a finding.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.support.log_scan import watch
from tests.support.polling import eventually
from tests.support.processes import ORDERFLOW

READY_SECONDS = 180.0  # seven processes starting at once on a busy 2-core machine


@dataclass(frozen=True)
class Readiness:
    """How to tell the process is up: GET ``path`` answers 200, or (``path`` None) the port
    accepts a TCP connection."""

    port: int
    path: str | None = None


@dataclass(frozen=True)
class Exit:
    """A process that died without being killed by the test."""

    name: str
    returncode: int
    at: float
    log_tail: str


@dataclass
class Supervised:
    """One ``orderflow ARGS`` process; its output is appended to ``log``."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    ready: Readiness
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0
    killed_at: list[datetime] = field(default_factory=list)  # UTC, each deliberate kill
    exits: list[Exit] = field(default_factory=list)

    def start(self) -> None:
        """Start (or start again) the process."""
        watch(self.log)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [ORDERFLOW, *self.args],
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        """The current process id."""
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None

    async def wait_ready(self, within: float = READY_SECONDS) -> None:
        """Until it answers; fail with its log tail when it exits or takes too long."""

        async def answering() -> bool:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited during start-up:\n{self.tail()}")
            return await self._answers()

        try:
            await eventually(answering, within, f"{self.name} answering", every=0.2)
        except TimeoutError as error:
            raise TimeoutError(f"{error}:\n{self.tail()}") from error

    async def kill(self) -> None:
        """SIGKILL, as in a crash (no clean-up at all); counted as deliberate."""
        process, self.process = self.process, None  # down on purpose: not the watchdog's
        if process is None or process.poll() is not None:
            return
        self.kills += 1
        self.killed_at.append(datetime.now(UTC))
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)

    def pause(self) -> None:
        """SIGSTOP: the process falls behind, as a slow or descheduled consumer does."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    async def restart(self) -> float:
        """What a supervisor does after a crash: start again and wait until it answers;
        returns how many seconds that took."""
        began = time.monotonic()
        self.start()
        await self.wait_ready()
        return time.monotonic() - began

    def reap(self) -> Exit | None:
        """The exit of a process that died by itself (recorded), None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        died = Exit(self.name, self.process.returncode, time.monotonic(), self.tail())
        self.exits.append(died)
        self.process = None
        return died

    async def stop(self) -> None:
        """SIGTERM and wait; SIGKILL when it does not stop within 30 s."""
        process, self.process = self.process, None  # the watchdog must not restart it
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 10)

    def tail(self, chars: int = 4000) -> str:
        """The end of what it printed."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    async def _answers(self) -> bool:
        if self.ready.path is None:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.ready.port)
            except OSError:
                return False
            writer.close()
            return True
        url = f"http://127.0.0.1:{self.ready.port}{self.ready.path}"
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(url)).status_code == 200
        except httpx.HTTPError:
            return False

"""Run real ``orderflow`` processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ORDERFLOW = str(Path(sys.executable).with_name("orderflow"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningProcess:
    """A started ``orderflow`` process and where its HTTP API listens."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path


@contextmanager
def orderflow_process(
    args: list[str], env: dict[str, str], log: Path, port: int
) -> Iterator[RunningProcess]:
    """Start ``orderflow ARGS``, wait for its /healthz, and stop it with SIGTERM at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [ORDERFLOW, *args], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    running = RunningProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_healthy(running)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _wait_healthy(running: RunningProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"orderflow exited early:\n{running.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{running.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"orderflow did not become healthy:\n{running.log.read_text()[-3000:]}")

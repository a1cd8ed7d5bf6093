"""Run real ``orderflow`` processes for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from tests.private_pair.ports import restartable_port
from tests.support.log_scan import watch

ORDERFLOW = str(Path(sys.executable).with_name("orderflow"))
# The commands that serve the API, whose metrics are on an operations port of their own.
API_COMMANDS = ("api", "run")
METRICS_PORT = "ORDERFLOW_HTTP_METRICS_PORT"


def free_port() -> int:
    """A TCP port nobody listens on right now, for a server started next.

    Not an ephemeral one (binding port 0): between this call and the server's bind, any
    outgoing connection on the machine may be given that port as its local one, and the other
    pytest-xdist worker may be handed it too. Drawn below the ephemeral range, from this
    worker's slice, never one handed out recently (see tests/private_pair/ports.py)."""
    return restartable_port()


@asynccontextmanager
async def serving(app: object) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free port in this event loop; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True)
class RunningProcess:
    """A started ``orderflow`` process and the address it answers on."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    operations_url: str | None = None  # where an API process serves /metrics

    @property
    def metrics_url(self) -> str:
        """The process's ``/metrics`` (an API's is on its operations port)."""
        return f"{self.operations_url or self.base_url}/metrics"

    def output(self) -> str:
        """The tail of what it printed."""
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def orderflow_process(
    args: list[str],
    env: dict[str, str],
    log: Path,
    port: int,
    *,
    health: str | None = "/healthz",
    wait: bool = True,
) -> Iterator[RunningProcess]:
    """Start ``orderflow ARGS``, wait until it answers on ``port`` (GET ``health``, or a TCP
    connect when ``health`` is None; unless ``wait`` is false, see :func:`wait_ready`), and
    stop it with SIGTERM at the end. An API process gets a free operations port unless ``env``
    names one: two of them never collide on the default."""
    operations_url = None
    if args[:1] and args[0] in API_COMMANDS:
        env = {METRICS_PORT: str(free_port()), **env}
        operations_url = f"http://127.0.0.1:{env[METRICS_PORT]}"
    watch(log)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [ORDERFLOW, *args], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    running = RunningProcess(process, f"http://127.0.0.1:{port}", log, operations_url)
    try:
        if wait:
            wait_ready(running, port, health)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _answers(running: RunningProcess, port: int, health: str | None) -> bool:
    try:
        if health is None:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        return httpx.get(f"{running.base_url}{health}", timeout=1).status_code == 200
    except (OSError, httpx.TransportError):
        return False


def wait_ready(running: RunningProcess, port: int, health: str | None = "/healthz") -> None:
    """Wait until ``running`` answers on ``port`` (see :func:`orderflow_process`)."""
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"orderflow exited early:\n{running.output()}")
        if _answers(running, port, health):
            return
        time.sleep(0.2)
    raise TimeoutError(f"orderflow did not become ready:\n{running.output()}")

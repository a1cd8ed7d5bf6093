"""The operations endpoint of every process: ``/metrics``, ``/healthz``, ``/readyz``.

``orderflow relay``, ``orderflow consume`` and ``orderflow jobs`` serve it on their metrics port,
``orderflow api`` and ``orderflow run`` on the API's (``ORDERFLOW_HTTP_METRICS_PORT``), so the
metrics stay off the public port. It runs in the process's own event loop: a scrape or a probe
that gets an answer proves the loop runs. One process, one server, one registry: the metrics it
serves are every count the process made, its API's requests included.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from orderflow.health.readiness import Readiness
from orderflow.health.routes import health_router


async def run_operations(
    readiness: Readiness,
    listening: socket.socket,
    stop: asyncio.Event,
    *,
    started: Callable[[], None] | None = None,
) -> None:
    """Serve the operations endpoint until ``stop``; then release the checks' connections."""
    try:
        await serve(operations_app(readiness), listening, stop, started=started)
    finally:
        await readiness.close()


def operations_app(readiness: Readiness) -> FastAPI:
    """The app of the operations endpoint."""
    app = FastAPI(title="orderflow operations", openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(health_router(readiness))

    @app.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process's supervisor and sets
    :attr:`listening` once it accepts requests."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then tell whoever waits."""
        await super().startup(sockets=sockets)
        if self.started:
            self.listening.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    app: FastAPI,
    listening: socket.socket,
    stop: asyncio.Event,
    *,
    started: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` on the bound socket ``listening`` until ``stop``; call ``started`` once it
    accepts requests.

    The server gets a duplicate of the socket, which it closes when it stops: ``listening``
    itself stays bound, so a job restarted after a crash serves on it again.
    """
    server = EmbeddedServer(uvicorn.Config(app, log_config=None, access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[listening.dup()]))
    accepting = asyncio.create_task(server.listening.wait())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, accepting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if server.listening.is_set() and started is not None:
            started()
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        accepting.cancel()
        stopping.cancel()
        await serving  # raises what the server failed with, if it did

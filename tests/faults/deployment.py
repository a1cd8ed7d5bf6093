"""The shop as a deployment of separate ``orderflow`` processes on the private pair.

``split``: what the README's "Processes" section lists for production — the API, two relays,
one process per consumer group and ``orderflow jobs`` — plus the fake partners. ``run``:
``orderflow run`` alone (everything in one process) plus the fake partners. A watchdog restarts
any process that exits, as a supervisor would, and keeps the exit as a finding.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from tests.faults.processes import Exit, Readiness, Supervised
from tests.private_pair.ports import restartable_port

CONSUMER_GROUPS = (
    "notifications",
    "search",
    "fulfillment",
    "orders-saga",
    "analytics",
    "recommendations",
)
GROUP_PREFIX = "faults-"
# Short retry tiers keep the suite inside its budget. They make it stricter, not looser: an
# infrastructure fault must never spend a record's retry budget, whatever the tier delays.
RETRY_DELAYS = [2.0, 5.0, 10.0]
SECRET = f"faults-{uuid.uuid4().hex}{uuid.uuid4().hex}"
Layout = Literal["split", "run"]


@dataclass(frozen=True)
class FakePorts:
    """Where the fake partners listen."""

    provider: int
    carrier: int
    smtp: int
    smtp_http: int

    @classmethod
    def free(cls) -> FakePorts:
        """Four free ports."""
        return cls(restartable_port(), restartable_port(), restartable_port(), restartable_port())


def base_env(database_url: str, bootstrap: str, api_port: int, fakes: FakePorts) -> dict[str, str]:
    """The environment every process of the deployment shares (env var names as documented)."""
    return {
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "ORDERFLOW_HTTP_PORT": str(api_port),
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": GROUP_PREFIX,
        "ORDERFLOW_CONSUMER_RETRY_DELAYS_SECONDS": json.dumps(RETRY_DELAYS),
        "ORDERFLOW_PAYMENT_PROVIDER_URL": f"http://127.0.0.1:{fakes.provider}",
        "ORDERFLOW_CARRIER_URL": f"http://127.0.0.1:{fakes.carrier}",
        "ORDERFLOW_SMTP_PORT": str(fakes.smtp),
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_DATABASE_POOL_SIZE": "4",
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "0.5",
        "ORDERFLOW_RELAY_LANE_REFRESH_SECONDS": "0.5",
        "ORDERFLOW_DELIVERY_TRACKING_INTERVAL_SECONDS": "1",
        "ORDERFLOW_PAYMENT_RECONCILE_INTERVAL_SECONDS": "2",
        "ORDERFLOW_PAYMENT_RECONCILE_GRACE_SECONDS": "5",
        "ORDERFLOW_LOG_FORMAT": "json",
        "ORDERFLOW_LOG_LEVEL": "INFO",
        # Every simulated customer registers and logs in from 127.0.0.1.
        "ORDERFLOW_RATE_LIMIT_REGISTER_PER_ADDRESS": "10000/1h",
        "ORDERFLOW_RATE_LIMIT_LOGIN_PER_ADDRESS": "10000/1m",
    }


class Deployment:
    """Every process of one deployment, started, watched and stopped together."""

    def __init__(self, database_url: str, bootstrap: str, logs: Path, layout: Layout) -> None:
        self.logs = logs
        self.api_port = restartable_port()
        self.api_metrics_port = restartable_port()  # the API's operations port: its /metrics
        self.fake_ports = FakePorts.free()
        self.env = base_env(database_url, bootstrap, self.api_port, self.fake_ports)
        self.fakes = self._fakes()
        self.relays: list[Supervised] = []
        self.consumers: dict[str, Supervised] = {}
        self.jobs: list[Supervised] = []
        metrics = ["--metrics-port", str(self.api_metrics_port)]
        if layout == "run":
            self.api = self._process("run", ["run", *metrics], Readiness(self.api_port, "/healthz"))
        else:
            self.api = self._process("api", ["api", *metrics], Readiness(self.api_port, "/healthz"))
            self.relays = [self._metered(f"relay-{n}", ["relay"]) for n in (1, 2)]
            self.consumers = {g: self._metered(g, ["consume", g]) for g in CONSUMER_GROUPS}
            # Payment reconciliation (abandoned checkout keys), delivery tracking, retention.
            self.jobs = [self._metered("jobs", ["jobs"])]
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def api_url(self) -> str:
        """Base URL of the API."""
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def sink_url(self) -> str:
        """Base URL of the SMTP sink's HTTP side."""
        return f"http://127.0.0.1:{self.fake_ports.smtp_http}"

    @property
    def carrier_url(self) -> str:
        """Base URL of the fake carrier."""
        return f"http://127.0.0.1:{self.fake_ports.carrier}"

    @property
    def provider_url(self) -> str:
        """Base URL of the fake payment provider."""
        return f"http://127.0.0.1:{self.fake_ports.provider}"

    def processes(self) -> Iterator[Supervised]:
        """The orderflow processes (not the fakes)."""
        yield self.api
        yield from self.relays
        yield from self.consumers.values()
        yield from self.jobs

    @property
    def exits(self) -> list[Exit]:
        """Every process exit the test did not cause."""
        return [e for p in (*self.fakes, *self.processes()) for e in p.exits]

    async def start(self) -> None:
        """Fakes first, then the orderflow processes; wait until all of them answer. When one
        does not, everything started is stopped again before the error is raised."""
        try:
            for fake in self.fakes:
                fake.start()
            await asyncio.gather(*(fake.wait_ready() for fake in self.fakes))
            for process in self.processes():
                process.start()
            await asyncio.gather(*(process.wait_ready() for process in self.processes()))
        except BaseException:
            await self.stop()
            raise
        self._watchdog = asyncio.create_task(self._watch())

    async def steer(self, fake: str, behaviour: dict[str, object]) -> None:
        """``PUT /_control`` of the fake ``provider`` or ``carrier``."""
        url = {"provider": self.provider_url, "carrier": self.carrier_url}[fake]
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.put(f"{url}/_control", json=behaviour)
        answer.raise_for_status()

    async def scrape_metrics(self, folder: Path) -> None:
        """Save every process's ``orderflow_*`` metrics (for a post-mortem) as
        ``metrics-<name>.prom`` in ``folder``."""
        async with httpx.AsyncClient(timeout=5) as client:
            for process in self.processes():
                # Every orderflow process serves /metrics on its operations port (the API's
                # public port answers 404 there).
                port = self.api_metrics_port if process is self.api else process.ready.port
                try:
                    answer = await client.get(f"http://127.0.0.1:{port}/metrics")
                except httpx.HTTPError as error:
                    text = f"# not answering: {error!r}\n"
                else:
                    lines = answer.text.splitlines()
                    text = "\n".join(line for line in lines if line.startswith("orderflow_"))
                (folder / f"metrics-{process.name}.prom").write_text(text)

    async def stop(self) -> None:
        """Stop the watchdog, then everything (orderflow processes before the fakes)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        await asyncio.gather(*(p.stop() for p in self.processes()))
        await asyncio.gather(*(f.stop() for f in self.fakes))

    async def _watch(self) -> None:
        """Restart whatever died by itself (each exit is kept for the report)."""
        while True:
            for process in (*self.fakes, *self.processes()):
                if process.reap() is not None:
                    process.start()
            await asyncio.sleep(0.5)

    def _fakes(self) -> list[Supervised]:
        ports = self.fake_ports
        sink = ["dev", "smtp-sink", "--port", str(ports.smtp), "--http-port", str(ports.smtp_http)]
        return [
            self._process(
                "provider",
                ["dev", "fake-provider", "--port", str(ports.provider)],
                Readiness(ports.provider, "/_control"),
            ),
            self._process(
                "carrier",
                ["dev", "fake-carrier", "--port", str(ports.carrier)],
                Readiness(ports.carrier, "/_control"),
            ),
            self._process("smtp-sink", sink, Readiness(ports.smtp_http, "/messages")),
        ]

    def _metered(self, name: str, args: list[str]) -> Supervised:
        """A process whose readiness is its metrics port (relays and consumers)."""
        port = restartable_port()
        return self._process(name, [*args, "--metrics-port", str(port)], Readiness(port))

    def _process(self, name: str, args: list[str], ready: Readiness) -> Supervised:
        return Supervised(name, args, self.env, self.logs / f"{name}.log", ready)

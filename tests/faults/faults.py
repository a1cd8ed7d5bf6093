"""The faults, injected one after the other while the load runs; each is timed for the report.

After every kill the supervisor's part is played at once: the process is started again.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from tests.faults.deployment import Deployment
from tests.faults.pair import Pair
from tests.faults.processes import Supervised
from tests.support.polling import eventually

OPEN_TRANSACTION = """
    SELECT count(*) FROM pg_stat_activity
    WHERE client_port = ANY($1::int[]) AND xact_start IS NOT NULL
"""


@dataclass(frozen=True)
class Fault:
    """One injected fault: what, when (seconds since the first one) and how long it took."""

    name: str
    wall: str  # UTC, to find the fault in the processes' logs
    at: float
    took: float
    detail: str = ""


@dataclass
class Injector:
    """Injects faults into ``deployment`` and ``pair``, keeping a timeline."""

    deployment: Deployment
    pair: Pair
    started: float = field(default_factory=time.monotonic)
    timeline: list[Fault] = field(default_factory=list)

    async def kill_relay(self) -> None:
        """kill -9 one relay; its lanes go to the other until it is back."""
        relay = self.deployment.relays[0]
        async with self._fault(f"kill -9 {relay.name}") as detail:
            await relay.kill()
            await asyncio.sleep(1.0)
            detail.append(f"answering again after {await relay.restart():.1f} s")

    async def kill_consumer_mid_batch(self, group: str, within: float = 30.0) -> None:
        """kill -9 a consumer process while its batch transaction is open."""
        process = self.deployment.consumers[group]
        async with self._fault(f"kill -9 {group} mid-batch") as detail:
            waited = await self._until_in_transaction(process, within)
            detail.append(f"open transaction seen after {waited:.2f} s")
            await process.kill()
            await asyncio.sleep(1.0)
            detail.append(f"answering again after {await process.restart():.1f} s")

    async def broker_outage(self, seconds: float) -> None:
        """kill -9 the broker, keep it down ``seconds``, start it again."""
        async with self._fault(f"kill -9 broker for {seconds:.0f} s"):
            await self.pair.broker.kill()
            await asyncio.sleep(seconds)
            await self.pair.broker.start()

    async def restart_postgres(self, mode: str, down_for: float) -> None:
        """Stop PostgreSQL in ``mode`` (fast or immediate), down ``down_for`` s, start it."""
        assert mode in ("fast", "immediate")
        async with self._fault(f"PostgreSQL restart ({mode}, down {down_for:.0f} s)"):
            await self.pair.postgres.restart(mode, down_for=down_for)  # type: ignore[arg-type]

    async def kill_api(self) -> None:
        """kill -9 the API with checkouts in flight; start it again."""
        async with self._fault("kill -9 api") as detail:
            await self.deployment.api.kill()
            detail.append(f"answering again after {await self.deployment.api.restart():.1f} s")

    def as_json(self) -> list[dict[str, object]]:
        """The timeline for the report."""
        return [
            {
                "fault": f.name,
                "utc": f.wall,
                "at_s": round(f.at, 1),
                "took_s": round(f.took, 1),
                "detail": f.detail,
            }
            for f in self.timeline
        ]

    def _fault(self, name: str) -> _Timed:
        return _Timed(self, name)

    async def _until_in_transaction(self, process: Supervised, within: float) -> float:
        """Seconds until ``process`` has a transaction open (polled every 10 ms)."""
        started = time.monotonic()
        db = await asyncpg.connect(self.pair.dsn)

        async def in_transaction() -> bool:
            ports = client_ports(process.pid)
            return bool(ports) and bool(await db.fetchval(OPEN_TRANSACTION, sorted(ports)))

        try:
            await eventually(in_transaction, within, f"{process.name} in a transaction", every=0.01)
        finally:
            await db.close()
        return time.monotonic() - started


class _Timed:
    """``async with injector._fault(name) as detail:`` records the fault when it ends."""

    def __init__(self, injector: Injector, name: str) -> None:
        self._injector = injector
        self._name = name
        self._detail: list[str] = []
        self._began = 0.0
        self._wall = ""

    async def __aenter__(self) -> list[str]:
        self._began = time.monotonic()
        self._wall = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
        return self._detail

    async def __aexit__(self, *exc: object) -> None:
        injector = self._injector
        fault = Fault(
            self._name,
            self._wall,
            self._began - injector.started,
            time.monotonic() - self._began,
            "; ".join(self._detail),
        )
        injector.timeline.append(fault)


def client_ports(pid: int) -> set[int]:
    """Local TCP ports of ``pid``'s sockets: they identify its backends in pg_stat_activity."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports

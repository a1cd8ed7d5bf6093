"""Every long-running process answers ``/healthz`` and ``/readyz``: on a private broker that the
test stops and starts again, readiness turns 503 naming ``kafka`` within seconds and back to 200
once the broker is back, liveness stays 200 throughout, and the API — which needs no broker —
stays ready. Each process said once, on start, what it runs and where its health is; each
``/metrics`` passes ``promtool check metrics``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.private_pair import PrivateBroker
from tests.support.polling import eventually
from tests.support.processes import RunningProcess, free_port, orderflow_process
from tests.support.prometheus import metrics_problems

SECRET = "readiness-test-secret-readiness-test-secret"


@contextmanager
def _processes(env: dict[str, str], logs: Path) -> Iterator[dict[str, RunningProcess]]:
    ports = {name: free_port() for name in ("api", "relay", "consume", "jobs")}
    commands = {
        "api": ["api"],
        "relay": ["relay", "--metrics-port", str(ports["relay"])],
        "consume": ["consume", "notifications", "--metrics-port", str(ports["consume"])],
        "jobs": ["jobs", "--metrics-port", str(ports["jobs"])],
    }
    env = {**env, "ORDERFLOW_HTTP_PORT": str(ports["api"])}
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(
                orderflow_process(args, env, logs / f"{name}.log", ports[name])
            )
            for name, args in commands.items()
        }


async def _readiness(process: RunningProcess) -> tuple[int, dict[str, object]]:
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as client:
        answer = await client.get("/readyz")
    return answer.status_code, answer.json()


async def _text(process: RunningProcess, path: str) -> str:
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as client:
        return (await client.get(path)).text


async def _all(
    processes: dict[str, RunningProcess], status: int, failing: list[str] | None = None
) -> bool:
    for process in processes.values():
        code, body = await _readiness(process)
        if code != status or (failing is not None and body.get("failing") != failing):
            return False
    return True


@pytest.mark.timeout(400)  # a private broker and four processes on a busy machine
async def test_readyz_follows_the_broker_healthz_stays_up(
    own_database: str, tmp_path: Path, unique: str
) -> None:
    broker = PrivateBroker(tmp_path / "broker")
    await broker.start()
    env = {
        "ORDERFLOW_DATABASE_URL": own_database,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": f"ready-{unique}-",
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    try:
        with _processes(env, tmp_path) as running:
            api = running.pop("api")
            await eventually(lambda: _all(running, 200), 120, "every process ready")
            for name, process in {**running, "api": api}.items():
                async with httpx.AsyncClient(timeout=10) as client:
                    metrics = (await client.get(process.metrics_url)).text
                assert metrics_problems(metrics) == "", name
            assert "orderflow_http_requests_total" in metrics  # the API's, on its own port

            await broker.stop()
            stopped = time.monotonic()
            await eventually(lambda: _all(running, 503, ["kafka"]), 60, "503 naming kafka")
            assert time.monotonic() - stopped < 15  # within seconds of the broker going
            for process in running.values():
                assert await _text(process, "/healthz") == "ok"
            assert (await _readiness(api))[0] == 200  # the outbox keeps the API's promises

            await broker.start()
            await eventually(lambda: _all(running, 200), 120, "ready again")
            for name, process in {**running, "api": api}.items():
                assert process.process.poll() is None, name
        for name, process in {**running, "api": api}.items():
            lines = process.log.read_text().splitlines()
            assert not [line for line in lines if "Traceback" in line], process.output()
            banner = [line for line in lines if line.startswith(f"orderflow {name}")]
            assert len(banner) == 1, (name, banner)
            assert "/readyz" in banner[0], (name, banner)
    finally:
        await broker.stop()

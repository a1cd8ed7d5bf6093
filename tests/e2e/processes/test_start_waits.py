"""``orderflow run`` started while PostgreSQL and Kafka are both down does not exit: it says,
one line per dependency and attempt, what it waits for (no job crashes, no tracebacks), serves
503 meanwhile, and once both answer it works end to end — a product an admin adds is published
by the relay and indexed by the search consumer. On a private pair, started late."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command

from foundation.database import create_engine, create_sessions
from foundation.namespace import Namespace
from orderflow.cli.db import alembic_config
from orderflow.settings import Settings
from tests.private_pair import PrivateBroker, PrivatePostgres
from tests.support.polling import eventually
from tests.support.processes import RunningProcess, free_port, orderflow_process
from tests.support.shop import SECRET, shopper_at, signing


def _log_events(process: RunningProcess) -> list[dict[str, object]]:
    """Every JSON log line of the process so far."""
    lines = process.log.read_text(errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _said(process: RunningProcess, event: str) -> set[object]:
    """The dependencies the process logged ``event`` for."""
    return {e["dependency"] for e in _log_events(process) if e["event"] == event}


async def _logged_for_both(process: RunningProcess, event: str) -> bool:
    return _said(process, event) == {"postgresql", "kafka"}


async def _migrated_late(postgres: PrivatePostgres, name: str) -> None:
    """Create database ``name``, migrated, at once (a process probing it sees it complete):
    migrate a database of another name, then rename it."""
    await postgres.start()
    staging = f"{name}_staging"
    admin = await asyncpg.connect(postgres.url("postgres").replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{staging}"')
        await asyncio.to_thread(command.upgrade, alembic_config(postgres.url(staging)), "head")
        await admin.execute(f'ALTER DATABASE "{staging}" RENAME TO "{name}"')
    finally:
        await admin.close()


async def _indexed(base_url: str, sku: str) -> bool:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        answer = await client.get("/v1/search", params={"q": sku})
    return answer.status_code == 200 and sku in {i.get("sku") for i in answer.json()["items"]}


@pytest.mark.timeout(360)  # a PostgreSQL and a Kafka started mid-test on a busy machine
async def test_run_started_without_its_database_and_broker_waits_for_both(
    settings: Settings, tmp_path: Path
) -> None:
    postgres, broker = PrivatePostgres(), PrivateBroker(tmp_path / "kafka")
    port = free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": postgres.url("waits"),
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": f"waits-{uuid.uuid4().hex[:8]}.",
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "0.5",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    try:
        with orderflow_process(["run"], env, tmp_path / "run.log", port, health=None) as run:
            waiting = "waiting_for_dependency"
            await eventually(lambda: _logged_for_both(run, waiting), 60, "a wait for each")
            async with httpx.AsyncClient(base_url=run.base_url, timeout=10) as client:
                assert (await client.get("/healthz")).status_code == 200  # alive, waiting
                not_ready = await client.get("/readyz")
                assert not_ready.status_code == 503
                assert set(not_ready.json()["failing"]) >= {"database", "kafka"}

            await asyncio.gather(_migrated_late(postgres, "waits"), broker.start())
            await eventually(lambda: _logged_for_both(run, "dependency_ready"), 120, "both ready")

            sku = f"WAIT-{uuid.uuid4().hex[:8]}".upper()
            # The admin's account and session in the deployment's database and namespace.
            engine = create_engine(postgres.url("waits"))
            sessions = create_sessions(
                engine, Namespace(topic_prefix=env["ORDERFLOW_TOPIC_PREFIX"])
            )
            async with shopper_at(run.base_url, sessions, signing(settings), "admin") as admin:
                body = {"sku": sku, "name": "Mug", "description": "", "price_minor": 900,
                        "currency": "EUR", "initial_stock": 3}  # fmt: skip
                answer = await admin.client.post("/v1/products", json=body)
                assert answer.status_code == 201, answer.text
            await engine.dispose()
            await eventually(lambda: _indexed(run.base_url, sku), 90, "the product indexed")

            assert run.process.poll() is None
            events = _log_events(run)
            assert not [e for e in events if e["event"] in ("job_crashed", "job_failed")]
            assert "Traceback" not in run.log.read_text(errors="replace")
    finally:
        await broker.stop()
        await postgres.destroy()

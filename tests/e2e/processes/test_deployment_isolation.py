"""Two deployments on one broker, each ``orderflow run`` with its own database, topic prefix and
event source, never see each other's events: each indexes only its own products, dead-letters
nothing (what reading the other's events did: shipments and emails for orders it does not
have), and its topics carry only records of its own source."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import TopicPartition

from devtools.infrastructure import Infrastructure
from foundation.database import create_engine, create_sessions
from foundation.namespace import Namespace
from orderflow.settings import Settings
from tests.kafka_helpers import end_offsets, read_from
from tests.support.databases import migrated_database
from tests.support.polling import eventually
from tests.support.processes import (
    RunningProcess,
    free_port,
    orderflow_process,
    wait_ready,
)
from tests.support.shop import SECRET, Shopper, shopper_at

GROUPS = ("notifications", "search", "fulfillment", "orders-saga")
# Hex digits as letters: a search word that is one token in the document and in the query. A
# hex string such as ``6e9a…`` is one part of a hyphenated SKU in the document but the number
# ``6e9`` then a word in a query, so searching for it found nothing in 2-3 % of runs.
AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


@dataclass(frozen=True)
class Deployment:
    """One ``orderflow run``: where it answers, its namespace, and what it created."""

    name: str
    process: RunningProcess
    port: int
    env: dict[str, str]
    prefix: str
    sku: str
    word: str  # in both deployments' product names: a search for it finds one product each

    @property
    def source(self) -> str:
        """Its CloudEvents source."""
        return f"/{self.name}/orderflow"


@contextlib.contextmanager
def deployment(
    name: str, database_url: str, settings: Settings, unique: str, logs: Path
) -> Iterator[Deployment]:
    port = free_port()
    prefix = f"{settings.deployment.topic_prefix}{unique}-{name}."
    env = {
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": prefix,
        "ORDERFLOW_EVENT_SOURCE": f"/{name}/orderflow",
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "0.5",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    sku = f"ISO-{name}-{unique}".upper()
    with orderflow_process(["run"], env, logs / f"{name}.log", port, wait=False) as process:
        yield Deployment(name, process, port, env, prefix, sku, unique.translate(AS_LETTERS))


async def _add_product(deployment: Deployment, settings: Settings) -> None:
    # The admin's account and session live in the deployment's database, its events in its
    # namespace (their relay publishes them).
    engine = create_engine(deployment.env["ORDERFLOW_DATABASE_URL"])
    sessions = create_sessions(engine, Namespace(deployment.prefix, deployment.source))
    try:
        async with shopper_at(deployment.process.base_url, sessions, settings, "admin") as admin:
            await _post_product(admin, deployment)
    finally:
        await engine.dispose()


async def _post_product(admin: Shopper, deployment: Deployment) -> None:
    body = {"sku": deployment.sku, "name": f"Mug {deployment.name} {deployment.word}",
            "description": "",
            "price_minor": 1000, "currency": "EUR", "initial_stock": 5}  # fmt: skip
    answer = await admin.client.post("/v1/products", json=body)
    assert answer.status_code == 201, answer.text


async def _skus_found(deployment: Deployment, query: str) -> set[str]:
    async with httpx.AsyncClient(base_url=deployment.process.base_url, timeout=10) as client:
        found = (await client.get("/v1/search", params={"q": query})).json()["items"]
    return {item["sku"] for item in found if "sku" in item}


async def _dead_letters(settings: Settings, deployment: Deployment) -> int:
    """Records on the deployment's dead-letter topics."""
    total = 0
    for group in GROUPS:
        ends = await end_offsets(settings.kafka.connection(), f"{deployment.prefix}{group}.dlq")
        total += sum(ends.values())
    return total


@pytest.mark.timeout(300)  # two whole deployments, each started as one process
async def test_two_deployments_on_one_broker_never_see_each_others_events(
    settings: Settings, infrastructure: Infrastructure, unique: str, tmp_path: Path
) -> None:
    server = infrastructure.database_url
    async with (
        migrated_database(server, "orderflow_a") as url_a,
        migrated_database(server, "orderflow_b") as url_b,
    ):
        with (
            deployment("a", url_a, settings, unique, tmp_path) as a,
            deployment("b", url_b, settings, unique, tmp_path) as b,
        ):
            for d in (a, b):  # both start at once
                await asyncio.to_thread(wait_ready, d.process, d.port)
            await _add_product(a, settings)
            await eventually(lambda: _found(a, a.sku), 60, "a's product in a's search")
            await _add_product(b, settings)
            await eventually(lambda: _found(b, b.sku), 60, "b's product in b's search")

            both = f"Mug {a.word}"
            assert await _skus_found(a, both) == {a.sku}
            assert await _skus_found(b, both) == {b.sku}
            assert await _dead_letters(settings, a) == 0
            assert await _dead_letters(settings, b) == 0
            for d in (a, b):
                sources = await _sources(settings, f"{d.prefix}catalog.product.v1")
                assert sources == {f"{d.source}/catalog"}


async def _found(deployment: Deployment, sku: str) -> bool:
    return sku in await _skus_found(deployment, sku)


async def _sources(settings: Settings, topic: str) -> set[str]:
    """The ``ce_source`` of every record on ``topic``."""
    start = {TopicPartition(topic, p): 0 for p in range(settings.kafka.topic_partitions)}
    records = await read_from(settings.kafka.connection(), start, lambda rs: len(rs) >= 1)
    return {dict(r.headers)["ce_source"].decode() for r in records}

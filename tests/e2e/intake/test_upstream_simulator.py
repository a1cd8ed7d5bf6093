"""The upstream simulator against ``orderflow run``: every submission it made ends in exactly
one reply on ``intake.replies.v1`` and at most one order, whatever it retried or duplicated.

Real processes, as a user runs them: ``orderflow run`` with the fake partners, a client made
by ``orderflow clients create``, and ``orderflow dev upstream``.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from tests.kafka_helpers import end_offsets, read_from
from tests.support.intake import Sessions
from tests.support.processes import ORDERFLOW, free_port, orderflow_process
from tests.support.shop import new_product

REPLIES = "intake.replies.v1"
SENDS = 40


def _orderflow(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [ORDERFLOW, *args],
        input=None if stdin is None else stdin.encode(),
        env={**os.environ, **env},
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done.stdout.decode()


def _fake(
    name: str, port: int, env: dict[str, str], folder: Path
) -> tuple[list[str], dict[str, str], Path, int]:
    return ["dev", name, "--port", str(port)], env, folder / f"{name}.log", port


def _credentials(output: str) -> tuple[str, str]:
    values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return values["client_id"], values["client_secret"]


async def _replies(
    kafka: KafkaConnection, topic: str, client_id: str, references: set[str]
) -> list[Any]:
    """Every reply to ``client_id`` on the replies ``topic``, once all ``references`` have one."""
    start = dict.fromkeys(await end_offsets(kafka, topic), 0)

    def mine(records: list[Any]) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in records if r.key == client_id.encode()]

    records = await read_from(
        kafka, start, lambda rs: {p["external_reference"] for p in mine(rs)} >= references, 240
    )
    return mine(records)


async def _orders_per_reference(sessions: Sessions, client_id: str) -> dict[str, int]:
    sql = (
        "SELECT s.external_reference, count(o.id) AS orders FROM orders.submissions s "
        "LEFT JOIN orders.orders o ON o.id = s.order_id WHERE s.client_id = :client "
        "GROUP BY s.external_reference"
    )
    async with sessions() as session:
        rows = await session.execute(text(sql), {"client": uuid.UUID(client_id)})
    return {row.external_reference: row.orders for row in rows}


@pytest.mark.parametrize("door", ["kafka", "http"])
async def test_every_simulated_submission_gets_one_reply_and_at_most_one_order(
    settings: Settings,
    kafka: KafkaConnection,
    sessions: Sessions,
    unique: str,
    tmp_path: Path,
    door: str,
) -> None:
    api, provider, carrier, smtp, smtp_http = (free_port() for _ in range(5))
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": settings.deployment.topic_prefix,  # the session's namespace
        "ORDERFLOW_HTTP_PORT": str(api),
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": f"e2e-{unique}-",
        "ORDERFLOW_PAYMENT_PROVIDER_URL": f"http://127.0.0.1:{provider}",
        "ORDERFLOW_CARRIER_URL": f"http://127.0.0.1:{carrier}",
        "ORDERFLOW_SMTP_PORT": str(smtp),
        "ORDERFLOW_JWT_SECRET": f"e2e-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    created = _orderflow(["clients", "create", "--name", f"sim-{door}-{unique}"], env)
    client_id, secret = _credentials(created)
    skus = [await new_product(sessions, stock=1000) for _ in range(2)]
    sink = ["dev", "smtp-sink", "--port", str(smtp), "--http-port", str(smtp_http)]
    with (
        orderflow_process(*_fake("fake-provider", provider, env, tmp_path), health="/_control"),
        orderflow_process(*_fake("fake-carrier", carrier, env, tmp_path), health="/_control"),
        orderflow_process(sink, env, tmp_path / "s.log", smtp_http, health="/messages"),
        orderflow_process(["run"], env, tmp_path / "run.log", api),
    ):
        simulate = ["dev", "upstream", "--over", door, "--rate", "20", "--count", str(SENDS)]
        simulate += ["--client-id", client_id, "--duplicates", "0.2", "--bad", "0.1"]
        simulate += ["--client-secret", secret, "--api", f"http://127.0.0.1:{api}"]
        simulate += [arg for sku in skus for arg in ("--sku", sku)]
        report = json.loads(_orderflow(simulate, env))
        references = set(report["references"])
        replies_topic = settings.deployment.namespace().topic(REPLIES)
        replies = await _replies(kafka, replies_topic, client_id, references)

    per_reference = Counter(r["external_reference"] for r in replies)
    assert report["sent"]["duplicate"] > 0
    assert not report["statuses"] or set(report["statuses"]) <= {"201", "422"}, report
    assert report["sent"]["bad"] > 0
    assert set(per_reference) == references
    assert set(per_reference.values()) == {1}, per_reference.most_common(3)
    orders = await _orders_per_reference(sessions, client_id)
    assert max(orders.values()) <= 1
    accepted = {r["external_reference"] for r in replies if "order_id" in r}
    assert {ref for ref, count in orders.items() if count == 1} == accepted

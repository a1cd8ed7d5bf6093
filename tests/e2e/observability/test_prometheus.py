"""A real Prometheus (Debian's package) scrapes a running ``orderflow run`` while a checkout goes
through, with the shipped alert rules loaded: every rule evaluates without error, every
dashboard query and alert expression parses, and every metric family they read has series —
except the few that only appear once something goes wrong, named below with why."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from orderflow.settings import Settings
from tests.support.deploy import RULES, alert_rules, dashboard_queries, metrics_in
from tests.support.polling import eventually
from tests.support.processes import ORDERFLOW, RunningProcess, free_port, orderflow_process
from tests.support.prometheus import Prometheus, private_prometheus

PASSWORD = "correct horse battery staple"

# Families a labelled counter or histogram only gets series for once its event happens; a
# healthy checkout never makes them.
ONLY_ON_TROUBLE = {
    "orderflow_consumer_dead_lettered_total": "a record dead-lettered",
    "orderflow_consumer_infrastructure_waiting_partitions": "a partition waiting out an outage",
    "orderflow_consumer_retried_total": "a record sent to a retry tier",
    "orderflow_consumer_stalled_batches_total": "a batch over its stall deadline",
    "orderflow_job_failures_total": "a background job's pass failing",
    "orderflow_outbox_publish_errors_total": "the broker refusing a record",
    "orderflow_outbox_topic_missing_total": "a row of a topic the broker lacks",
    "orderflow_dlq_refused_total": "a replay refused",
    "orderflow_dlq_purged_total": "a purge",
    "orderflow_dlq_replayed_total": "a replay",
}


@contextmanager
def _platform(env: dict[str, str], logs: Path, api: int) -> Iterator[RunningProcess]:
    provider = free_port()
    env = {**env, "ORDERFLOW_PAYMENT_PROVIDER_URL": f"http://127.0.0.1:{provider}"}
    with ExitStack() as stack:
        fake = ["dev", "fake-provider", "--port", str(provider)]
        stack.enter_context(
            orderflow_process(fake, env, logs / "provider.log", provider, health="/_control")
        )
        yield stack.enter_context(orderflow_process(["run"], env, logs / "run.log", api))


def _create_admin(email: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [ORDERFLOW, "users", "create-admin", "--email", email, "--password-stdin"],
        input=PASSWORD.encode(),
        env={**os.environ, **env},
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    answer = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _checkout(client: httpx.AsyncClient, admin_email: str, unique: str) -> None:
    admin = await _login(client, admin_email)
    sku = f"PROM-{unique}".upper()
    product = {"sku": sku, "name": "prometheus notebook", "price_minor": 990, "currency": "EUR"}
    created = await client.post("/v1/products", json={**product, "initial_stock": 3}, headers=admin)
    assert created.status_code == 201, created.text
    body = {
        "currency": "EUR",
        "items": [{"sku": sku, "quantity": 1}],
        "payment": {"card_token": "tok_visa"},
    }
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    answer = await client.post("/v1/checkout", json=body, headers=headers)
    assert answer.status_code == 201, answer.text


def _families_without_series(prometheus: Prometheus, families: set[str]) -> set[str]:
    missing = set()
    for family in families:
        selector = f'{{__name__=~"{family}(_bucket|_count|_sum)?"}}'
        if not prometheus.query(f"count({selector})"):
            missing.add(family)
    return missing


@pytest.mark.timeout(300)
async def test_prometheus_scrapes_orderflow_and_evaluates_the_shipped_rules(
    own_database: str, settings: Settings, tmp_path: Path, unique: str
) -> None:
    api, operations = free_port(), free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": own_database,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_HTTP_PORT": str(api),
        "ORDERFLOW_HTTP_METRICS_PORT": str(operations),
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": f"prom-{unique}-",
        "ORDERFLOW_TOPIC_PREFIX": f"prom-{unique}.",
        "ORDERFLOW_JWT_SECRET": f"prometheus-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        "ORDERFLOW_DLQ_METRICS_INTERVAL_SECONDS": "1",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    admin_email = f"admin-{unique}@example.com"
    _create_admin(admin_email, env)
    with (
        _platform(env, tmp_path, api) as running,
        # The metrics of the whole process (API included) are on its operations port.
        private_prometheus(tmp_path, {"orderflow": f"127.0.0.1:{operations}"}, RULES) as prometheus,
    ):
        async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as client:
            await _checkout(client, admin_email, unique)

        async def scraped_the_checkout() -> bool:
            checkouts = prometheus.query("sum(orderflow_checkout_seconds_count)")
            return bool(checkouts) and float(checkouts[0]["value"][1]) >= 1

        await eventually(scraped_the_checkout, 60, "the checkout scraped")
        await eventually(lambda: _rules_evaluated(prometheus), 30, "every rule evaluated")
        expressions = [q for _, q in dashboard_queries()] + [r["expr"] for r in alert_rules()]
        read: set[str] = set()
        for expression in expressions:
            prometheus.query(expression)  # raises on an expression Prometheus refuses
            read |= metrics_in(expression)

        async def every_family_has_series() -> bool:
            return _families_without_series(prometheus, read) <= ONLY_ON_TROUBLE.keys()

        with contextlib.suppress(TimeoutError, AssertionError):
            await eventually(every_family_has_series, 30, "series for every metric read", every=2)
        assert _families_without_series(prometheus, read) - ONLY_ON_TROUBLE.keys() == set()
        assert prometheus.query('up{job="orderflow"}')[0]["value"][1] == "1"


async def _rules_evaluated(prometheus: Prometheus) -> bool:
    rules = [rule for group in prometheus.rule_groups() for rule in group["rules"]]
    assert len(rules) == len(alert_rules())
    for rule in rules:
        assert rule["health"] != "err", (rule["name"], rule.get("lastError"))
    return all(rule["health"] == "ok" for rule in rules)

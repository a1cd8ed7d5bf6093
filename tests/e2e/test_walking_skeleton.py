"""The shop as real processes: `orderflow run` plus the fake provider, carrier and SMTP sink.

HTTP checkout → PostgreSQL (state + outbox) → relay → Kafka → consumers: the confirmation email
reaches the SMTP sink exactly once, the order is searchable, and the saga drives it to
``delivered``; signing up again with the shopper's address e-mails the shopper. Everything a user
would see, through the same commands a user runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka.structs import ConsumerRecord

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from tests.kafka_helpers import end_offsets, read_from
from tests.support.polling import eventually
from tests.support.processes import ORDERFLOW, free_port, orderflow_process

PASSWORD = "correct horse battery staple"


def _create_admin(email: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [ORDERFLOW, "users", "create-admin", "--email", email, "--password-stdin"],
        input=PASSWORD.encode(),
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _confirmation_emails(sink: httpx.AsyncClient, order_id: str) -> list[dict[str, Any]]:
    # A new consumer group starts at the beginning of the session's topic: other tests' orders'
    # emails arrive too, so look for this order's.
    messages = (await sink.get("/messages")).json()["messages"]
    return [
        m for m in messages if "order_confirmation" in m["message_id"] and order_id in m["subject"]
    ]


async def test_a_checkout_over_http_is_emailed_once_searchable_and_delivered(
    settings: Settings, kafka: KafkaConnection, unique: str, tmp_path: Path
) -> None:
    api, provider, carrier, smtp, smtp_http = (free_port() for _ in range(5))
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": settings.deployment.topic_prefix,
        "ORDERFLOW_HTTP_PORT": str(api),
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": f"e2e-{unique}-",
        "ORDERFLOW_PAYMENT_PROVIDER_URL": f"http://127.0.0.1:{provider}",
        "ORDERFLOW_CARRIER_URL": f"http://127.0.0.1:{carrier}",
        "ORDERFLOW_SMTP_PORT": str(smtp),
        "ORDERFLOW_DELIVERY_TRACKING_INTERVAL_SECONDS": "1",
        "ORDERFLOW_JWT_SECRET": f"e2e-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "5",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    admin_email = f"admin-{unique}@example.com"
    _create_admin(admin_email, {**os.environ, **env})
    sink_args = ["dev", "smtp-sink", "--port", str(smtp), "--http-port", str(smtp_http)]
    with (
        orderflow_process(
            ["dev", "fake-provider", "--port", str(provider)],
            env,
            tmp_path / "p.log",
            provider,
            health="/_control",
        ),
        orderflow_process(
            ["dev", "fake-carrier", "--port", str(carrier)],
            env,
            tmp_path / "c.log",
            carrier,
            health="/_control",
        ),
        orderflow_process(sink_args, env, tmp_path / "s.log", smtp_http, health="/messages"),
        orderflow_process(["run"], env, tmp_path / "run.log", api) as app,
    ):
        async with (
            httpx.AsyncClient(base_url=app.base_url, timeout=30) as client,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{smtp_http}") as sink,
        ):
            topic = settings.deployment.namespace().topic("orders.order.v1")
            emails, delivered, found, records, order_id = await _shop(
                client, sink, kafka, topic, admin_email, unique
            )
            told = await _sign_up_again(client, sink, f"shopper-{unique}@example.com")
        app.process.send_signal(signal.SIGTERM)
        assert app.process.wait(timeout=30) == 0

    assert len(emails) == 1
    assert emails[0]["rcpt_tos"] == [f"shopper-{unique}@example.com"]  # from identity, at send time
    assert [m["rcpt_tos"] for m in told] == [[f"shopper-{unique}@example.com"]]
    assert delivered
    assert any(hit.get("sku") == f"E2E-{unique}".upper() for hit in found["items"]), found
    types = [dict(r.headers)["ce_type"] for r in records if r.key == order_id.encode()]
    assert types[:2] == [b"orderflow.orders.OrderPlaced.v2", b"orderflow.orders.OrderConfirmed.v1"]
    _assert_correlated(app.log, f"e2e-{unique}")


async def _shop(
    client: httpx.AsyncClient,
    sink: httpx.AsyncClient,
    kafka: KafkaConnection,
    topic: str,
    admin_email: str,
    unique: str,
) -> tuple[list[dict[str, Any]], bool, dict[str, Any], list[ConsumerRecord[bytes, bytes]], str]:
    """Check out, then wait for the email, the delivery, the search hit and the records."""
    start = await end_offsets(kafka, topic)
    order_id, auth = await _checkout(client, admin_email, unique)

    emails = await eventually(lambda: _confirmation_emails(sink, order_id), 60, "the email")
    delivered = await eventually(
        lambda: _status_is(client, order_id, auth, "delivered"), 60, "delivery"
    )
    found = (await client.get("/v1/search", params={"q": f"e2e {unique}"})).json()
    records = await read_from(
        kafka, start, lambda rs: sum(r.key == order_id.encode() for r in rs) >= 2
    )
    assert await _confirmation_emails(sink, order_id) == emails  # still exactly one, later too
    return emails, delivered, found, records, order_id


async def _sign_up_again(
    client: httpx.AsyncClient, sink: httpx.AsyncClient, email: str
) -> list[dict[str, Any]]:
    """Register a taken address: the answer is the usual 202, and its owner gets an e-mail."""
    again = {"email": email, "password": "another horse battery staple"}
    registered = await client.post("/v1/auth/register", json=again)
    assert registered.status_code == 202, registered.text

    async def told() -> list[dict[str, Any]]:
        messages = (await sink.get("/messages")).json()["messages"]
        return [
            m
            for m in messages
            if "sign_up_attempted" in m["message_id"] and m["rcpt_tos"] == [email]
        ]

    return await eventually(told, 60, "the sign-up attempt e-mail")


async def _checkout(
    client: httpx.AsyncClient, admin_email: str, unique: str
) -> tuple[str, dict[str, str]]:
    admin = await _login(client, admin_email)
    sku = f"E2E-{unique}".upper()
    product = {
        "sku": sku,
        "name": f"e2e {unique} notebook",
        "price_minor": 1250,
        "currency": "EUR",
        "initial_stock": 5,
    }
    created = await client.post("/v1/products", json=product, headers=admin)
    assert created.status_code == 201, created.text
    email = f"shopper-{unique}@example.com"
    registered = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 202, registered.text
    auth = await _login(client, email)
    body = {
        "currency": "EUR",
        "items": [{"sku": sku, "quantity": 2}],
        "payment": {"card_token": "tok_visa"},
    }
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4()), "X-Correlation-ID": f"e2e-{unique}"}
    response = await client.post("/v1/checkout", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["order_id"]), auth


async def _status_is(
    client: httpx.AsyncClient, order_id: str, auth: dict[str, str], status: str
) -> bool:
    response = await client.get(f"/v1/orders/{order_id}", headers=auth)
    return bool(response.status_code == 200 and response.json()["status"] == status)


def _assert_correlated(log: Path, correlation_id: str) -> None:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    handled = {e.get("logger") for e in lines if e.get("correlation_id") == correlation_id}
    assert "orderflow.http" in handled, handled
    assert any(name and name.startswith("orderflow.consumers") for name in handled), handled

"""HTTP → PostgreSQL (order + outbox) → relay → Kafka → notifications consumer, as real processes."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orderflow.settings import Settings
from producers import KafkaConnection
from tests.e2e.processes import free_port, orderflow_process
from tests.kafka_helpers import end_offsets, read_from

ORDER = {
    "customer_id": str(uuid.uuid4()),
    "currency": "EUR",
    "lines": [{"sku": "BOOK-1", "quantity": 2, "unit_price_minor": 1999}],
}


async def _notification_for(
    sessions: async_sessionmaker[AsyncSession], order_id: str, timeout: float = 20.0
) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with sessions() as session:
            rows = (
                await session.scalars(
                    text(
                        "SELECT correlation_id FROM notifications.notifications "
                        "WHERE order_id = :id"
                    ),
                    {"id": uuid.UUID(order_id)},
                )
            ).all()
        if rows:
            return list(rows)
        await asyncio.sleep(0.1)
    raise TimeoutError("no notification was recorded")


async def test_an_order_placed_over_http_reaches_kafka_and_the_notification_consumer(
    settings: Settings,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    unique: str,
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_CONSUMER_GROUP_PREFIX": f"e2e-{unique}-",
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "5",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    with orderflow_process(["run"], env, tmp_path / "orderflow.log", port) as app:
        start = await end_offsets(kafka, "orders.order.v1")
        async with httpx.AsyncClient(base_url=app.base_url) as client:
            response = await client.post(
                "/v1/orders", json=ORDER, headers={"X-Correlation-ID": f"e2e-{unique}"}
            )
            assert response.status_code == 201, response.text
            order_id = response.json()["order_id"]

            assert await _notification_for(sessions, order_id) == [f"e2e-{unique}"]
            records = await read_from(
                kafka, start, lambda rs: any(r.key == order_id.encode() for r in rs)
            )
            metrics = (await client.get("/metrics")).text

        app.process.send_signal(signal.SIGTERM)
        assert app.process.wait(timeout=30) == 0

    (record,) = [r for r in records if r.key == order_id.encode()]
    headers = dict(record.headers)
    assert headers["ce_type"] == b"orderflow.orders.OrderPlaced.v1"
    assert headers["correlation_id"] == f"e2e-{unique}".encode()
    assert json.loads(record.value)["order_id"] == order_id
    assert "orderflow_outbox_published_total" in metrics
    assert "orderflow_consumer_handled_total" in metrics
    logged = [json.loads(line) for line in app.log.read_text().splitlines() if line.startswith("{")]
    handled = [e for e in logged if e.get("event") == "event_handled"]
    assert any(e.get("correlation_id") == f"e2e-{unique}" for e in handled)

"""Migration 0010 keeps every stored checkout answer: replays say exactly what they said."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.infrastructure import Infrastructure
from domains.orders.http.checkout import render
from domains.orders.idempotency import CheckoutAnswer
from orderflow.cli.db import alembic_config
from tests.support.databases import fresh_database

ORDER_ID = uuid.uuid4()
ORDER = {
    "order_id": str(ORDER_ID),
    "customer_id": str(uuid.uuid4()),
    "status": "confirmed",
    "currency": "EUR",
    "total_minor": 2900,
    "version": 2,
    "placed_at": "2026-11-26T02:00:00+00:00",
    "lines": [{"sku": "MUG-1", "quantity": 2, "unit_price_minor": 1450}],
}


def _problem(status: int, code: str, title: str, detail: str, **extra: str) -> dict[str, Any]:
    return {
        "type": f"https://orderflow.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def _stored_before() -> list[tuple[int, dict[str, Any], uuid.UUID | None]]:
    """Responses as the code before 0010 stored them: (status, body, order id)."""
    order_id = uuid.uuid4()
    pending = "The payment provider has not answered yet; the order will be settled shortly."
    declined = "The payment was declined; the order is cancelled. Try another payment method."
    expired = "The payment could not be confirmed in time; the order is cancelled."
    return [
        (201, ORDER, ORDER_ID),
        (202, {**ORDER, "status": "payment_pending", "detail": pending}, uuid.uuid4()),
        (402, _problem(402, "payment_declined", "Payment declined", declined,
                       order_id=str(order_id)), order_id),
        (402, _problem(402, "payment_expired", "Payment expired", expired,
                       order_id=str(order_id)), order_id),
        (404, _problem(404, "unknown_sku", "Unknown sku", "there is no product with SKU 'X'"),
         None),
        (409, _problem(409, "out_of_stock", "Out of stock", "MUG-1: 3 requested, 1 available"),
         None),
        (422, _problem(422, "sku_inactive", "Sku inactive", "MUG-1 is not sold at the moment"),
         None),
    ]  # fmt: skip


async def test_stored_answers_render_as_before_and_downgrade_back(
    infrastructure: Infrastructure,
) -> None:
    before = _stored_before()
    async with fresh_database(infrastructure.database_url, prefix="orderflow_0010") as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "0009")
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                for status, body, order_id in before:
                    await conn.execute(
                        text(
                            "INSERT INTO orders.checkout_requests (customer_id, idempotency_key,"
                            " request_hash, status, order_id, response_status, response_body)"
                            " VALUES (:c, :k, 'h', 'completed', :o, :s, CAST(:b AS jsonb))"
                        ),
                        {"c": uuid.uuid4(), "k": str(status), "o": order_id, "s": status,
                         "b": json.dumps(body)},
                    )  # fmt: skip
            await asyncio.to_thread(command.upgrade, config, "0010")
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT outcome, order_id, answer FROM orders.checkout_requests")
                )
                rendered = {_rendered(CheckoutAnswer.of_row(*row)) for row in rows}
            await asyncio.to_thread(command.downgrade, config, "0009")
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT response_status, response_body FROM orders.checkout_requests")
                )
                restored = {(status, json.dumps(body, sort_keys=True)) for status, body in rows}
        finally:
            await engine.dispose()

    expected = {(status, json.dumps(body, sort_keys=True)) for status, body, _ in before}
    assert rendered == expected
    assert restored == expected


def _rendered(answer: CheckoutAnswer) -> tuple[int, str]:
    response = render(answer)
    return response.status_code, json.dumps(json.loads(bytes(response.body)), sort_keys=True)

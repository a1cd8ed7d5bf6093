"""``GET /v1/order-submissions/{reference}`` after the order was cancelled: the order's status
now and who refunds, as the ``SubmittedOrderCancelled`` reply says (real PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Any

import httpx
from sqlalchemy import text

from domains.identity.api import Principal
from domains.orders import api as orders
from domains.payments import api as payments
from tests.support.intake import KnownClients, Sessions, service_client, submission
from tests.support.shop import new_product

# Nothing listens here: a cancellation that asked our provider for a refund would fail.
NO_PROVIDER = "http://127.0.0.1:18599"


async def test_a_cancelled_submission_reads_cancelled_with_who_refunds(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    client = service_client()
    auth = clients.add(client)
    sku = await new_product(sessions, stock=5)
    paid = submission(sku, payment={"method": "external", "reference": "pos-pay-91"})
    unpaid = submission(sku)
    paid_id = await _submit(api, auth, paid)
    unpaid_id = await _submit(api, auth, unpaid)

    assert await _cancel(sessions, unpaid_id) == "cancelled"
    assert await _cancel(sessions, paid_id) == "cancellation_requested"
    assert _now(await _read(api, auth, paid)) == ("cancellation_requested", None)
    await _shipment_stopped(sessions, paid_id)

    assert _now(await _read(api, auth, paid)) == ("cancelled", "upstream")
    assert _now(await _read(api, auth, unpaid)) == ("cancelled", "none")
    replies = await _cancellation_replies(sessions, client.client_id)
    assert replies == {paid_id: "upstream", unpaid_id: "none"}


async def test_a_submission_not_cancelled_reads_its_order_status_and_no_refund(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    body = submission(await new_product(sessions, stock=5))
    await _submit(api, auth, body)

    answer = await _read(api, auth, body)

    assert answer["outcome"] == "accepted"
    assert _now(answer) == ("pending", None)


async def _submit(api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]) -> str:
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
    answer = await api.post("/v1/orders", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["order_id"])


async def _read(api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]) -> Any:
    answer = await api.get(f"/v1/order-submissions/{body['external_reference']}", headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _now(answer: dict[str, Any]) -> tuple[str, str | None]:
    return answer["order_status"], answer["refund"]


async def _cancel(sessions: Sessions, order_id: str) -> str:
    admin = Principal(uuid.uuid4(), frozenset({"admin"}))
    uow = partial(orders.OrdersUnitOfWork, sessions)
    return (await orders.cancel_order(uuid.UUID(order_id), admin, uow)).status.value


async def _shipment_stopped(sessions: Sessions, order_id: str) -> None:
    """What the orders saga does once fulfillment stopped the shipment."""
    provider = payments.PaymentProvider(payments.ProviderSettings(base_url=NO_PROVIDER))
    try:
        uow = partial(orders.OrdersUnitOfWork, sessions)
        assert await orders.complete_cancellation(uuid.UUID(order_id), uow, provider)
    finally:
        await provider.aclose()


async def _cancellation_replies(sessions: Sessions, client_id: uuid.UUID) -> dict[str, str]:
    """order id → refund of every SubmittedOrderCancelled in the outbox for the client."""
    sql = text(
        "SELECT payload FROM outbox.events "
        "WHERE event_type = 'orders.SubmittedOrderCancelled' AND key = :key"
    )
    async with sessions() as session:
        rows = await session.execute(sql, {"key": str(client_id)})
    payloads = [json.loads(row.payload) for row in rows]
    return {payload["order_id"]: payload["refund"] for payload in payloads}

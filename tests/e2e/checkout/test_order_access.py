"""Ownership, tokens, cancellation, refunds and the report, through HTTP."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders import api as orders
from orderflow.settings import IdentitySettings, Settings
from tests.e2e.checkout.checks import order_events
from tests.support.identity import minted_token
from tests.support.shop import SECRET, Shopper, cart, key, new_product

Sessions = async_sessionmaker[AsyncSession]


async def _confirmed_order(shopper: Shopper, sessions: Sessions) -> str:
    sku = await new_product(sessions, stock=3)
    response = await shopper.client.post("/v1/checkout", json=cart(sku), headers=key())
    assert response.status_code == 201, response.text
    return str(response.json()["order_id"])


async def test_a_customer_reads_their_order_but_not_anothers(
    alice: Shopper, bob: Shopper, sessions: Sessions
) -> None:
    order_id = await _confirmed_order(alice, sessions)

    mine = await alice.client.get(f"/v1/orders/{order_id}")
    theirs = await bob.client.get(f"/v1/orders/{order_id}")
    cancel = await bob.client.post(f"/v1/orders/{order_id}/cancel")

    assert mine.status_code == 200
    assert theirs.status_code == cancel.status_code == 404
    assert theirs.json()["code"] == "order_not_found"


async def test_cancelling_a_paid_order_is_accepted_and_refunds_nothing_yet(
    alice: Shopper, sessions: Sessions
) -> None:
    order_id = await _confirmed_order(alice, sessions)

    response = await alice.client.post(f"/v1/orders/{order_id}/cancel")
    again = await alice.client.post(f"/v1/orders/{order_id}/cancel")

    assert response.status_code == again.status_code == 202, response.text
    assert response.json()["status"] == again.json()["status"] == "cancellation_requested"
    events = await order_events(sessions, order_id)
    assert events[-1] == "orders.OrderCancellationRequested"  # the parcel is stopped first
    assert "payments.PaymentRefunded" not in events


async def test_an_unpaid_order_is_cancelled_at_once(alice: Shopper, sessions: Sessions) -> None:
    sku = await new_product(sessions, stock=3)
    line = orders.OrderLine(sku, 1, 1250)
    placed = await orders.place_order(
        orders.PlaceOrder(alice.user_id, "EUR", (line,)), orders.OrdersUnitOfWork(sessions)
    )
    order_id = placed.id

    response = await alice.client.post(f"/v1/orders/{order_id}/cancel")
    again = await alice.client.post(f"/v1/orders/{order_id}/cancel")

    assert response.status_code == again.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


async def test_a_shipped_order_is_too_late_to_cancel(alice: Shopper, sessions: Sessions) -> None:
    order_id = await _confirmed_order(alice, sessions)
    await _ship(sessions, order_id)

    response = await alice.client.post(f"/v1/orders/{order_id}/cancel")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "too_late_to_cancel"


async def test_an_admin_refunds_a_shipped_order_a_customer_cannot(
    alice: Shopper, admin: Shopper, sessions: Sessions
) -> None:
    order_id = await _confirmed_order(alice, sessions)
    body = {"reason": "damaged in transit"}

    not_shipped = await admin.client.post(f"/v1/admin/orders/{order_id}/refund", json=body)
    await _ship(sessions, order_id)
    refused = await alice.client.post(f"/v1/admin/orders/{order_id}/refund", json=body)
    refunded = await admin.client.post(f"/v1/admin/orders/{order_id}/refund", json=body)
    twice = await admin.client.post(f"/v1/admin/orders/{order_id}/refund", json=body)

    assert not_shipped.status_code == 409
    assert not_shipped.json()["code"] == "not_shipped_yet"
    assert refused.status_code == 403
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded"
    assert twice.status_code == 409
    events = await order_events(sessions, order_id)
    assert set(events[-2:]) == {"orders.OrderRefunded", "payments.PaymentRefunded"}


async def test_the_orders_report_streams_csv_for_admins_only(
    alice: Shopper, admin: Shopper, sessions: Sessions
) -> None:
    order_id = await _confirmed_order(alice, sessions)

    refused = await alice.client.get("/v1/admin/reports/orders.csv")
    async with admin.client.stream("GET", "/v1/admin/reports/orders.csv") as response:
        text = "".join([chunk async for chunk in response.aiter_text()])

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(row["order_id"] == order_id and row["status"] == "confirmed" for row in rows)


async def _ship(sessions: Sessions, order_id: str) -> None:
    """What the orders saga does when the order's parcel leaves."""
    async with sessions.begin() as session:
        await orders.follow_shipment(
            session, uuid.UUID(order_id), uuid.uuid4(), orders.OrderStatus.SHIPPED
        )


def _token(*, secret: str = SECRET, age: timedelta = timedelta()) -> str:
    settings = Settings(identity=IdentitySettings(jwt_secret=SecretStr(secret)))
    return minted_token(settings, now=datetime.now(UTC) - age)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (_token(age=timedelta(minutes=20)), "token_expired"),
        (_token(secret="forged-forged-forged-forged-forged-0123"), "invalid_token"),
        (None, "missing_token"),
    ],
    ids=["expired", "forged", "missing"],
)
async def test_checkout_without_a_valid_token_is_a_401(
    api: str, token: str | None, code: str
) -> None:
    headers = {**key(), **({"Authorization": f"Bearer {token}"} if token else {})}
    async with httpx.AsyncClient(base_url=api) as client:
        response = await client.post("/v1/checkout", json=cart("SKU-1"), headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == code


async def test_a_customer_cannot_place_orders_as_a_service(
    alice: Shopper, admin: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=3)
    body = {
        "external_reference": "mine-1",
        "customer_id": str(alice.user_id),
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": 1}],
    }

    answers = [await s.client.post("/v1/orders", json=body, headers=key()) for s in (alice, admin)]

    assert [a.status_code for a in answers] == [403, 403]
    assert {a.json()["code"] for a in answers} == {"service_client_required"}

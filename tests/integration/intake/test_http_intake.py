"""``POST /v1/orders`` for service clients, on the real PostgreSQL: idempotency keys, unique
external references, catalog prices, stock, and one reply per submission."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text

from domains.identity.api import ORDERS_PRICE, ORDERS_READ, ORDERS_WRITE
from tests.support.intake import (
    KnownClients,
    Sessions,
    orders_with_sku,
    replies_for,
    reservations_with_sku,
    service_client,
    submission,
)
from tests.support.shop import available, new_product


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_five_concurrent_submissions_with_new_keys_make_one_order(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    client = service_client()
    auth = clients.add(client)
    sku = await new_product(sessions, stock=10)
    body = submission(sku, quantity=2)

    answers = await asyncio.gather(
        *(api.post("/v1/orders", json=body, headers={**auth, **key()}) for _ in range(5))
    )

    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert len({a.json()["order_id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert await orders_with_sku(sessions, sku) == 1
    assert await reservations_with_sku(sessions, sku) == 1
    assert await available(sessions, sku) == 8
    replies = await replies_for(sessions, client.client_id)
    assert [r["type"] for r in replies] == ["orders.OrderAccepted"]


async def test_five_concurrent_submissions_with_one_key_make_one_order(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    sku = await new_product(sessions, stock=10)
    body, same_key = submission(sku), key()

    answers = await asyncio.gather(
        *(api.post("/v1/orders", json=body, headers={**auth, **same_key}) for _ in range(5))
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1, statuses
    assert set(statuses) <= {201, 409}, statuses
    refused = [a.json()["code"] for a in answers if a.status_code == 409]
    assert set(refused) <= {"request_in_progress"}
    assert await orders_with_sku(sessions, sku) == 1
    assert await reservations_with_sku(sessions, sku) == 1


async def test_the_same_key_replays_and_another_body_is_refused(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    sku = await new_product(sessions, stock=10)
    body, same_key = submission(sku), key()

    first = await api.post("/v1/orders", json=body, headers={**auth, **same_key})
    again = await api.post("/v1/orders", json=body, headers={**auth, **same_key})
    other = await api.post(
        "/v1/orders", json={**body, "currency": "USD"}, headers={**auth, **same_key}
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_a_key_is_required_and_scoped_to_its_client(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    mine, theirs = clients.add(service_client()), clients.add(service_client())
    sku = await new_product(sessions, stock=10)
    shared_key = key()

    missing = await api.post("/v1/orders", json=submission(sku), headers=mine)
    first = await api.post("/v1/orders", json=submission(sku), headers={**mine, **shared_key})
    second = await api.post("/v1/orders", json=submission(sku), headers={**theirs, **shared_key})

    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency_key_missing"
    assert first.status_code == second.status_code == 201
    assert first.json()["order_id"] != second.json()["order_id"]


async def test_a_reused_reference_with_other_content_is_a_conflict(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    sku = await new_product(sessions, stock=10)
    body = submission(sku)

    await api.post("/v1/orders", json=body, headers={**auth, **key()})
    changed = await api.post(
        "/v1/orders",
        json={**body, "lines": [{"sku": sku, "quantity": 3}]},
        headers={**auth, **key()},
    )

    assert changed.status_code == 409
    assert changed.json()["code"] == "external_reference_reused"
    assert await orders_with_sku(sessions, sku) == 1


async def test_lines_are_priced_from_the_catalog(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    sku = await new_product(sessions, stock=5, price_minor=1999)

    answer = await api.post(
        "/v1/orders", json=submission(sku, quantity=2), headers={**auth, **key()}
    )

    assert answer.status_code == 201, answer.text
    assert answer.json()["priced_by"] == "catalog"
    assert answer.json()["order"]["total_minor"] == 3998
    assert answer.json()["order"]["status"] == "pending"


async def test_a_price_needs_the_price_scope_and_is_recorded_with_it(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    plain = service_client()
    pricing = service_client(ORDERS_WRITE, ORDERS_READ, ORDERS_PRICE)
    sku = await new_product(sessions, stock=5, price_minor=1999)
    body = submission(sku)
    body["lines"][0]["unit_price_minor"] = 0

    refused = await api.post("/v1/orders", json=body, headers={**clients.add(plain), **key()})
    priced = await api.post("/v1/orders", json=body, headers={**clients.add(pricing), **key()})

    assert refused.status_code == 403
    assert refused.json()["code"] == "price_not_allowed"
    assert priced.status_code == 201
    assert priced.json()["priced_by"] == "caller"
    assert priced.json()["order"]["total_minor"] == 0
    assert await orders_with_sku(sessions, sku) == 1
    rejected = await replies_for(sessions, plain.client_id)
    assert [(r["type"], r["reason"]) for r in rejected] == [
        ("orders.OrderRejected", "price_not_allowed")
    ]


async def test_unknown_inactive_foreign_and_short_skus_make_no_order(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    client = service_client()
    auth = clients.add(client)
    scarce = await new_product(sessions, stock=1)
    inactive = await new_product(sessions, stock=5)
    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE catalog.products SET active = false WHERE sku = :sku"), {"sku": inactive}
        )
    cases = {
        "unknown_sku": submission("NO-SUCH-SKU"),
        "sku_inactive": submission(inactive),
        "currency_mismatch": {**submission(scarce), "currency": "USD"},
        "out_of_stock": submission(scarce, quantity=2),
    }

    answers = {
        code: await api.post("/v1/orders", json=body, headers={**auth, **key()})
        for code, body in cases.items()
    }

    assert {code: a.json()["code"] for code, a in answers.items()} == {c: c for c in cases}
    assert all(400 <= a.status_code < 500 for a in answers.values())
    assert await orders_with_sku(sessions, scarce) == await orders_with_sku(sessions, inactive) == 0
    assert await available(sessions, scarce) == 1
    replies = await replies_for(sessions, client.client_id)
    assert sorted(r["reason"] for r in replies) == sorted(cases)


async def test_an_external_payment_confirms_the_order(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    client = service_client()
    auth = clients.add(client)
    sku = await new_product(sessions, stock=5)
    body = submission(sku, payment={"method": "external", "reference": "pos-pay-77"})

    answer = await api.post("/v1/orders", json=body, headers={**auth, **key()})

    assert answer.status_code == 201, answer.text
    assert answer.json()["order"]["status"] == "confirmed"
    replies = await replies_for(sessions, client.client_id)
    assert replies[0]["status"] == "confirmed"
    assert replies[0]["external_reference"] == body["external_reference"]


async def test_a_submission_can_be_looked_up_by_its_reference(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    auth = clients.add(service_client())
    other = clients.add(service_client())
    sku = await new_product(sessions, stock=5)
    body = submission(sku)
    placed = await api.post("/v1/orders", json=body, headers={**auth, **key()})

    mine = await api.get(f"/v1/order-submissions/{body['external_reference']}", headers=auth)
    theirs = await api.get(f"/v1/order-submissions/{body['external_reference']}", headers=other)

    assert mine.status_code == 200
    assert mine.json()["order_id"] == placed.json()["order_id"]
    assert mine.json()["outcome"] == "accepted"
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "submission_not_found"


async def test_scopes_are_checked_per_route(
    api: httpx.AsyncClient, clients: KnownClients, sessions: Sessions
) -> None:
    reader = clients.add(service_client(ORDERS_READ))
    writer = clients.add(service_client(ORDERS_WRITE))
    sku = await new_product(sessions, stock=5)

    post = await api.post("/v1/orders", json=submission(sku), headers={**reader, **key()})
    get = await api.get("/v1/order-submissions/anything", headers=writer)

    assert post.status_code == get.status_code == 403
    assert post.json()["code"] == get.json()["code"] == "insufficient_scope"
    assert await orders_with_sku(sessions, sku) == 0


async def test_no_token_is_a_401(api: httpx.AsyncClient) -> None:
    answer = await api.post("/v1/orders", json={}, headers=key())

    assert answer.status_code == 401
    assert answer.json()["code"] == "missing_token"

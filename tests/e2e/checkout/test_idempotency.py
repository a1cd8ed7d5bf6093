"""Idempotency-Key: replays, misuse, concurrent use."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.e2e.checkout.checks import orders_of
from tests.support.shop import Shopper, available, cart, key, new_product

Sessions = async_sessionmaker[AsyncSession]


async def test_a_retry_with_the_same_key_and_body_gets_the_same_answer_and_no_second_order(
    alice: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=5)
    headers = key()

    first = await alice.client.post("/v1/checkout", json=cart(sku), headers=headers)
    again = await alice.client.post("/v1/checkout", json=cart(sku), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await orders_of(sessions, alice.user_id) == 1
    assert await available(sessions, sku) == 4


async def test_a_declined_answer_is_replayed_too(alice: Shopper, sessions: Sessions) -> None:
    sku = await new_product(sessions, stock=5)
    headers, body = key(), cart(sku, token="tok_decline")

    first = await alice.client.post("/v1/checkout", json=body, headers=headers)
    again = await alice.client.post("/v1/checkout", json=body, headers=headers)

    assert first.status_code == again.status_code == 402
    assert again.json() == first.json()


async def test_the_same_key_with_a_different_body_is_a_422(
    alice: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=5)
    headers = key()
    await alice.client.post("/v1/checkout", json=cart(sku, 1), headers=headers)

    response = await alice.client.post("/v1/checkout", json=cart(sku, 2), headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert await orders_of(sessions, alice.user_id) == 1


async def test_keys_belong_to_their_customer(
    alice: Shopper, bob: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=5)
    headers = key()

    mine = await alice.client.post("/v1/checkout", json=cart(sku), headers=headers)
    theirs = await bob.client.post("/v1/checkout", json=cart(sku), headers=headers)

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["order_id"] != theirs.json()["order_id"]


async def test_concurrent_requests_with_one_key_make_one_order(
    alice: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=50)
    headers = key()

    responses = await asyncio.gather(
        *(alice.client.post("/v1/checkout", json=cart(sku), headers=headers) for _ in range(6))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["code"] == "request_in_progress"
    assert len({r.json()["order_id"] for r in responses if r.status_code == 201}) == 1
    assert await orders_of(sessions, alice.user_id) == 1
    assert await available(sessions, sku) == 49


async def test_a_missing_key_is_a_400(alice: Shopper, sessions: Sessions) -> None:
    response = await alice.client.post("/v1/checkout", json=cart("SKU-X"))

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


async def test_an_unknown_sku_is_refused_with_a_code_and_the_refusal_is_replayed(
    alice: Shopper,
) -> None:
    headers = key()
    body = cart(f"NOPE-{uuid.uuid4().hex[:8]}")

    first = await alice.client.post("/v1/checkout", json=body, headers=headers)
    again = await alice.client.post("/v1/checkout", json=body, headers=headers)

    assert 400 <= first.status_code < 500
    assert first.json()["code"] == "unknown_sku"
    assert again.json() == first.json()

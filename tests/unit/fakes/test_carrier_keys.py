"""The fake carrier: labels, the hand-over as the point of no return, and idempotency keys."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app

BOOK = {"reference": "s1", "order_id": "o1"}


@pytest.fixture
async def carrier() -> AsyncIterator[tuple[httpx.AsyncClient, CarrierState]]:
    state = CarrierState()
    transport = httpx.ASGITransport(app=create_carrier_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://carrier") as client:
        yield client, state


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_label_can_be_voided_until_the_carrier_takes_the_parcel(
    carrier: tuple[httpx.AsyncClient, CarrierState],
) -> None:
    client, _ = carrier
    await client.post("/v1/parcels", json=BOOK)
    await client.post("/v1/parcels", json={"reference": "s2", "order_id": "o2"})

    voided = await client.delete("/v1/parcels/s1")
    handed_over = await client.post("/v1/parcels/s2/handover")
    too_late = await client.delete("/v1/parcels/s2")
    not_after_void = await client.post("/v1/parcels/s1/handover")

    assert voided.json()["status"] == "voided"
    assert handed_over.json()["status"] == "in_transit"
    assert too_late.status_code == 409
    assert too_late.json()["error"] == "already_shipped"
    assert too_late.json()["parcel"]["status"] == "in_transit"
    assert not_after_void.status_code == 409


async def test_the_same_key_gets_the_first_answer_and_does_nothing_again(
    carrier: tuple[httpx.AsyncClient, CarrierState],
) -> None:
    client, state = carrier
    first = await client.post("/v1/parcels", json=BOOK, headers=key("book:s1"))
    await client.post("/v1/parcels/s1/handover", headers=key("hand_over:s1"))
    again = await client.post("/v1/parcels", json=BOOK, headers=key("book:s1"))
    handed_again = await client.post("/v1/parcels/s1/handover", headers=key("hand_over:s1"))
    reused = await client.delete("/v1/parcels/s1", headers=key("book:s1"))

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()  # the stored answer: still "booked" then
    assert handed_again.status_code == 200
    assert state.performed == {"book": 1, "handover": 1}
    assert state.replayed == 2
    assert reused.status_code == 422
    assert reused.json()["error"] == "idempotency_key_reused"


async def test_a_timeout_does_the_work_and_the_retry_with_its_key_hears_the_answer(
    carrier: tuple[httpx.AsyncClient, CarrierState],
) -> None:
    client, state = carrier
    state.behaviour = Behaviour(failure_mode="timeout", failure_count=1, hang_seconds=0.01)

    lost = await client.post("/v1/parcels", json=BOOK, headers=key("book:s1"))
    retried = await client.post("/v1/parcels", json=BOOK, headers=key("book:s1"))

    assert lost.status_code == 504
    assert retried.status_code == 201
    assert state.performed == {"book": 1}
    assert [p["reference"] for p in (await client.get("/v1/parcels")).json()["parcels"]] == ["s1"]


async def test_an_error_does_nothing(carrier: tuple[httpx.AsyncClient, CarrierState]) -> None:
    client, state = carrier
    state.behaviour = Behaviour(failure_mode="error", failing_operations=["book"])

    refused = await client.post("/v1/parcels", json=BOOK, headers=key("book:s1"))

    assert refused.status_code == 503
    assert state.parcels == {}
    assert state.answers == {}


async def test_a_parcel_is_delivered_a_while_after_the_hand_over_not_the_booking(
    carrier: tuple[httpx.AsyncClient, CarrierState],
) -> None:
    client, state = carrier
    state.behaviour = Behaviour(deliver_after_seconds=0)
    await client.post("/v1/parcels", json=BOOK)

    booked = await client.get("/v1/parcels/s1")
    await client.post("/v1/parcels/s1/handover")
    delivered = await client.get("/v1/parcels/s1")

    assert booked.json()["status"] == "booked"
    assert delivered.json()["status"] == "delivered"

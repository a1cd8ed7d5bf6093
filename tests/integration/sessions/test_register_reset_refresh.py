"""On the real processes: registering answers alike for taken and free addresses, and the
register, reset-confirm and refresh limits hold across both processes."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.sessions.conftest import TwoApis, client_address
from tests.support.identity import PASSWORD


def _assert_limited(answer: httpx.Response, scope: str, period_seconds: int) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "rate_limited"
    assert scope in answer.json()["detail"]
    assert 1 <= int(answer.headers["retry-after"]) <= period_seconds


async def test_a_taken_address_registers_like_a_free_one_and_keeps_its_account(
    two_apis: TwoApis,
) -> None:
    email = f"taken-{uuid.uuid4().hex[:8]}@example.com"
    bodies = [
        {"email": email, "password": PASSWORD},
        {"email": email.upper(), "password": "somebody else's passphrase"},
        {"email": email, "password": "a third passphrase here"},
    ]
    answers = []
    for api, body in zip((two_apis.a, two_apis.b, two_apis.a), bodies, strict=True):
        async with httpx.AsyncClient(base_url=api.base_url, headers=client_address()) as client:
            answers.append(await client.post("/v1/auth/register", json=body))
    async with httpx.AsyncClient(base_url=two_apis.b.base_url, headers=client_address()) as client:
        owner = await client.post("/v1/auth/login", json=bodies[0])
        other = await client.post("/v1/auth/login", json={**bodies[1], "email": email})

    free, taken, third = answers
    assert (free.status_code, free.json()) == (taken.status_code, taken.json())
    assert free.status_code == 202
    _assert_limited(third, "account", 3600)  # 2 per address per hour, whichever process
    assert owner.status_code == 200, owner.text
    assert other.status_code == 401


async def test_reset_confirm_is_limited_per_client_address_across_both_processes(
    two_apis: TwoApis,
) -> None:
    address = client_address()
    answers = []
    for attempt in range(4):
        api = two_apis.a if attempt % 2 == 0 else two_apis.b
        body = {"token": f"made-up-{attempt}", "new_password": "a perfectly fine passphrase"}
        async with httpx.AsyncClient(base_url=api.base_url, headers=address) as client:
            answers.append(await client.post("/v1/auth/password-reset/confirm", json=body))

    assert [a.status_code for a in answers[:3]] == [422, 422, 422]
    assert answers[0].json()["code"] == "reset_token_invalid"
    _assert_limited(answers[3], "address", 60)


async def test_refresh_is_limited_per_client_address_across_both_processes(
    two_apis: TwoApis,
) -> None:
    address = client_address()
    answers = []
    for attempt in range(5):
        api = two_apis.a if attempt % 2 == 0 else two_apis.b
        async with httpx.AsyncClient(base_url=api.base_url, headers=address) as client:
            body = {"refresh_token": f"made-up-{attempt}"}
            answers.append(await client.post("/v1/auth/refresh", json=body))

    assert [a.status_code for a in answers[:4]] == [401] * 4
    _assert_limited(answers[4], "address", 60)

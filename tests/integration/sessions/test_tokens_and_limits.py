"""On the real processes: tokens that break a rule are refused, an old key works through its
grace period, and rate limits hold across both processes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity import api as identity
from domains.shared import InvalidInput
from tests.integration.sessions.conftest import OLD_KID, OLD_SECRET, TwoApis, client_address
from tests.support.identity import PASSWORD, bearer, identity_config, new_user, signed_in

Sessions = async_sessionmaker[AsyncSession]


def _token_for(
    session: identity.TokenPair,
    user: identity.User,
    claims: dict[str, object],
    kid: str,
    secret: str,
) -> str:
    now = datetime.now(UTC)
    payload = {
        "iss": "orderflow",
        "aud": "orderflow-api",
        "sub": str(user.id),
        "sid": str(session.session_id),
        "roles": sorted(user.roles),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm="HS256", headers={"kid": kid, "typ": "at+jwt"})


@pytest.mark.parametrize(
    ("claims", "kid", "code"),
    [
        ({}, "k1", None),
        (
            {
                "exp": datetime.now(UTC) - timedelta(minutes=1),
                "iat": datetime.now(UTC) - timedelta(minutes=10),
            },
            "k1",
            "token_expired",
        ),
        ({"exp": datetime.now(UTC) + timedelta(days=3650)}, "k1", "invalid_token"),
        ({"aud": "another-service"}, "k1", "invalid_token"),
        ({"iss": "someone-else"}, "k1", "invalid_token"),
        ({"aud": None}, "k1", "invalid_token"),
        ({"iss": None}, "k1", "invalid_token"),
        ({}, "k9", "invalid_token"),
    ],
    ids=[
        "valid",
        "expired",
        "ten-years",
        "wrong-aud",
        "wrong-iss",
        "no-aud",
        "no-iss",
        "unknown-kid",
    ],
)
async def test_a_token_of_an_open_session_passes_only_if_every_rule_holds(
    two_apis: TwoApis, sessions: Sessions, claims: dict[str, object], kid: str, code: str | None
) -> None:
    user, pair = await signed_in(sessions, two_apis.settings)
    token = _token_for(pair, user, claims, kid, "two-apis-secret-two-apis-secret-two-apis-0123")

    async with httpx.AsyncClient(base_url=two_apis.a.base_url) as api:
        me = await api.get("/v1/me", headers=bearer(token))

    if code is None:
        assert me.status_code == 200, me.text
    else:
        assert (me.status_code, me.json()["code"]) == (401, code)


async def test_a_token_signed_with_the_previous_key_works_during_its_grace_period(
    two_apis: TwoApis, sessions: Sessions
) -> None:
    user, pair = await signed_in(sessions, two_apis.settings)
    by_old_key = _token_for(pair, user, {}, OLD_KID, OLD_SECRET)
    forged_old_kid = _token_for(pair, user, {}, OLD_KID, "x" * 40)

    async with httpx.AsyncClient(base_url=two_apis.b.base_url) as api:
        accepted = await api.get("/v1/me", headers=bearer(by_old_key))
        forged = await api.get("/v1/me", headers=bearer(forged_old_kid))

    assert accepted.status_code == 200, accepted.text
    assert forged.status_code == 401


async def test_wrong_logins_to_one_account_are_limited_across_both_processes(
    two_apis: TwoApis, sessions: Sessions
) -> None:
    user = await new_user(sessions, two_apis.settings)
    wrong = {"email": user.email, "password": "not the password"}
    answers = []
    for attempt in range(5):
        api = two_apis.a if attempt % 2 == 0 else two_apis.b
        async with httpx.AsyncClient(base_url=api.base_url, headers=client_address()) as client:
            answers.append(await client.post("/v1/auth/login", json=wrong))

    assert [r.status_code for r in answers] == [401, 401, 401, 429, 429]
    limited = answers[3]
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 20  # 3 per minute: one every 20 s
    async with httpx.AsyncClient(base_url=two_apis.b.base_url, headers=client_address()) as client:
        right = await client.post(
            "/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        metrics = await client.get(two_apis.b.metrics_url)
    assert right.status_code == 429  # the account's budget is spent, whoever asks
    assert 'orderflow_rate_limited_total{route="login",scope="account"}' in metrics.text


async def test_one_client_address_is_limited_across_both_processes_and_accounts(
    two_apis: TwoApis,
) -> None:
    address = client_address()
    statuses = []
    for attempt in range(8):
        api = two_apis.a if attempt % 2 == 0 else two_apis.b
        body = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "whatever12"}
        async with httpx.AsyncClient(base_url=api.base_url, headers=address) as client:
            statuses.append((await client.post("/v1/auth/login", json=body)).status_code)
    async with httpx.AsyncClient(base_url=two_apis.a.base_url, headers=client_address()) as other:
        elsewhere = await other.post("/v1/auth/login", json=body)

    assert statuses == [401] * 6 + [429] * 2
    assert elsewhere.status_code == 401  # another address has its own budget


async def test_reset_emails_are_capped_per_address_across_both_processes(
    two_apis: TwoApis, sessions: Sessions
) -> None:
    user = await new_user(sessions, two_apis.settings)
    statuses = []
    for api in (two_apis.a, two_apis.b, two_apis.a):
        async with httpx.AsyncClient(base_url=api.base_url, headers=client_address()) as client:
            answer = await client.post("/v1/auth/password-reset", json={"email": user.email})
            statuses.append(answer.status_code)

    assert statuses == [202, 202, 429]
    async with sessions() as db:
        issued = await db.scalar(
            text("SELECT count(*) FROM identity.password_resets WHERE user_id = :id"),
            {"id": user.id},
        )
    assert issued == 2


async def test_an_unknown_address_gets_the_same_answer(
    two_apis: TwoApis,
) -> None:
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=two_apis.a.base_url, headers=client_address()) as client:
        answer = await client.post("/v1/auth/password-reset", json={"email": email})

    assert answer.status_code == 202
    assert answer.json()["detail"] == "If the address is registered, a reset link is on its way."


class CountingPasswords(identity.Passwords):
    hashed: int = 0

    def hash(self, password: str) -> str:
        type(self).hashed += 1
        return super().hash(password)


async def test_reset_confirm_checks_the_token_before_hashing_the_password(
    sessions: Sessions, two_apis: TwoApis
) -> None:
    counting = CountingPasswords(time_cost=1, memory_kib=1024, parallelism=1)
    settings = replace(identity_config(two_apis.settings), passwords=counting)
    command = identity.ResetPassword("made-up-token", "a perfectly fine passphrase")

    with pytest.raises(InvalidInput) as refused:
        await identity.reset_password(command, identity.IdentityUnitOfWork(sessions), settings)

    assert refused.value.code == "reset_token_invalid"
    assert CountingPasswords.hashed == 0

"""OAuth 2.0 client credentials on the real API and PostgreSQL: tokens for service clients,
RFC 6749 §5.2 errors, scopes per route, and revocation refused by every API process."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.identity import api as identity
from orderflow.http import create_app
from orderflow.settings import Rate, Settings
from tests.support.intake import Sessions, submission
from tests.support.shop import app_settings, new_product

REVOCATION_BOUND = 1.0  # ORDERFLOW_SESSION_CHECK_TTL_SECONDS of these APIs


@pytest.fixture
async def apis(settings: Settings, engine: AsyncEngine) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two API processes' worth of apps on one database (each with its own caches)."""
    configured = app_settings(settings, "http://127.0.0.1:9").updated(
        identity={"session_check_ttl_seconds": REVOCATION_BOUND}
    )
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(engine, settings=configured)),
            base_url="http://test",
            timeout=30,
        )
        for _ in range(2)
    ]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def registered(sessions: Sessions, *scopes: str) -> tuple[identity.ServiceClient, str]:
    async with sessions() as session, session.begin():
        wanted = frozenset(scopes or (identity.ORDERS_WRITE, identity.ORDERS_READ))
        return await identity.register_client(session, f"svc-{uuid.uuid4().hex[:8]}", wanted)


async def token_of(api: httpx.AsyncClient, client_id: uuid.UUID, secret: str, **form: str) -> str:
    answer = await api.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", **form},
        auth=(str(client_id), secret),
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def test_basic_and_post_authentication_give_a_short_lived_scoped_token(
    apis: list[httpx.AsyncClient], sessions: Sessions
) -> None:
    api = apis[0]
    client, secret = await registered(sessions)

    basic = await api.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(str(client.client_id), secret),
    )
    posted = await api.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": str(client.client_id),
            "client_secret": secret,
            "scope": "orders:read",
        },
    )

    assert basic.status_code == posted.status_code == 200, basic.text
    assert basic.headers["cache-control"] == "no-store"
    assert basic.json()["token_type"] == "Bearer"
    assert 0 < basic.json()["expires_in"] <= 3600
    claims = jwt.decode(basic.json()["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == claims["sub"] == str(client.client_id)
    assert claims["scope"] == "orders:read orders:write"
    assert claims["aud"]
    assert posted.json()["scope"] == "orders:read"


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        ({"grant_type": "password"}, True, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "orders:price"}, True, 400, "invalid_scope"),
        ({"grant_type": "client_credentials"}, False, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_secret": "x"}, True, 400, "invalid_request"),
    ],
)
async def test_errors_are_rfc_6749_json(
    apis: list[httpx.AsyncClient],
    sessions: Sessions,
    form: dict[str, str],
    auth: bool,
    status: int,
    error: str,
) -> None:
    client, secret = await registered(sessions)
    credentials = (str(client.client_id), secret)

    if auth:
        answer = await apis[0].post("/v1/oauth/token", data=form, auth=credentials)
    else:
        answer = await apis[0].post("/v1/oauth/token", data=form)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


async def test_a_wrong_secret_is_invalid_client_with_a_basic_challenge(
    apis: list[httpx.AsyncClient], sessions: Sessions
) -> None:
    client, _ = await registered(sessions)

    answer = await apis[0].post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(str(client.client_id), "nope"),
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic")


async def test_a_client_token_submits_within_its_scopes_and_reaches_no_person_route(
    apis: list[httpx.AsyncClient], sessions: Sessions
) -> None:
    api = apis[0]
    client, secret = await registered(sessions)
    full = await token_of(api, client.client_id, secret)
    read_only = await token_of(api, client.client_id, secret, scope="orders:read")
    sku = await new_product(sessions, stock=5)
    body = submission(sku)

    placed = await api.post(
        "/v1/orders",
        json=body,
        headers={"Authorization": f"Bearer {full}", "Idempotency-Key": "k1"},
    )
    refused = await api.post(
        "/v1/orders",
        json=submission(sku),
        headers={"Authorization": f"Bearer {read_only}", "Idempotency-Key": "k2"},
    )
    looked_up = await api.get(
        f"/v1/order-submissions/{body['external_reference']}",
        headers={"Authorization": f"Bearer {read_only}"},
    )
    person_route = await api.get("/v1/me", headers={"Authorization": f"Bearer {full}"})

    assert placed.status_code == 201, placed.text
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert looked_up.status_code == 200
    assert looked_up.json()["order_id"] == placed.json()["order_id"]
    assert person_route.status_code == 401


async def test_a_revoked_client_is_refused_by_every_api_within_the_bound(
    apis: list[httpx.AsyncClient], sessions: Sessions
) -> None:
    client, secret = await registered(sessions, identity.ORDERS_READ)
    token = await token_of(apis[0], client.client_id, secret)
    headers = {"Authorization": f"Bearer {token}"}
    for api in apis:  # both processes have seen the client active (their caches are warm)
        assert (await api.get("/v1/order-submissions/none", headers=headers)).status_code == 404

    async with sessions() as session, session.begin():
        await identity.revoke_client(session, client.name)
    revoked_at = time.monotonic()
    await asyncio.sleep(REVOCATION_BOUND)
    started = time.monotonic()
    answers = [await api.get("/v1/order-submissions/none", headers=headers) for api in apis]

    assert started - revoked_at >= REVOCATION_BOUND
    assert [a.status_code for a in answers] == [401, 401]
    assert {a.json()["code"] for a in answers} == {"client_revoked"}
    again = await apis[1].post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(str(client.client_id), secret),
    )
    assert again.json()["error"] == "invalid_client"


async def test_token_requests_are_limited_per_client_across_api_processes(
    settings: Settings, engine: AsyncEngine, sessions: Sessions
) -> None:
    limited = app_settings(settings, "http://127.0.0.1:9").updated(
        rate_limits={"enabled": True, "token_per_client": Rate(count=3, period_seconds=3600)}
    )
    client, secret = await registered(sessions)
    form = {"grant_type": "client_credentials"}
    answers = []
    for attempt in range(4):  # a new app each time: the budget lives in PostgreSQL
        app = create_app(engine, settings=limited)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as api:
            wrong = secret if attempt == 0 else "not-the-secret"
            answers.append(
                await api.post("/v1/oauth/token", data=form, auth=(str(client.client_id), wrong))
            )

    assert [a.status_code for a in answers] == [200, 401, 401, 429]
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 1200  # 3 an hour: one every 20 min

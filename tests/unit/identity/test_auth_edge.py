"""Authentication at the HTTP edge, before any database work: 401 and 403 problems."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from domains.identity.api import (
    Principal,
    UserAccessTokens,
    decode_access_token,
    issue_access_token,
)
from orderflow.http import create_app
from orderflow.settings import DatabaseSettings, IdentitySettings, Settings
from orderflow.wiring.identity import identity_settings, signing_secret
from tests.support.session_checks import InMemorySessions

# Nothing listens here: every request below must be answered before any query.
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
SECRET = "edge-test-secret-edge-test-secret-0123456789"
PRODUCT = {"sku": "MUG", "name": "Mug", "price_minor": 1299, "currency": "EUR"}


SESSIONS = InMemorySessions()
SETTINGS = Settings(
    database=DatabaseSettings(url=UNREACHABLE),
    identity=IdentitySettings(jwt_secret=SecretStr(SECRET)),
)


def _bearer(
    roles: set[str], *, secret: str = SECRET, age: timedelta = timedelta()
) -> dict[str, str]:
    """A token of an open (in-memory) session, signed with ``secret``, issued ``age`` ago."""
    user_id = uuid.uuid4()
    principal = Principal(user_id, frozenset(roles))
    config = identity_settings(SETTINGS.updated(identity={"jwt_secret": SecretStr(secret)}))
    now = datetime.now(UTC) - age
    token = issue_access_token(
        principal, SESSIONS.open(user_id), keys=config.keys, rules=config.access_rules, now=now
    ).token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(create_async_engine(UNREACHABLE), settings=SETTINGS, session_check=SESSIONS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_token"),
        ({"Authorization": "Basic YWRhOnB3"}, "missing_token"),
        ({"Authorization": "Bearer not.a.token"}, "invalid_token"),
        (_bearer({"admin"}, secret="forged-secret-forged-secret-0123456789"), "invalid_token"),
        (_bearer({"admin"}, age=timedelta(minutes=20)), "token_expired"),
    ],
    ids=["none", "basic", "garbage", "forged", "expired"],
)
async def test_requests_without_a_valid_token_get_a_401_problem_with_a_challenge(
    client: httpx.AsyncClient, headers: dict[str, str], code: str
) -> None:
    response = await client.post("/v1/products", json=PRODUCT, headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"


@pytest.mark.parametrize("roles", [{"customer"}, {"operator"}])
async def test_non_admins_get_a_403_on_admin_routes(
    client: httpx.AsyncClient, roles: set[str]
) -> None:
    product_id = uuid.uuid4()
    calls = [
        client.post("/v1/products", json=PRODUCT, headers=_bearer(roles)),
        client.patch(f"/v1/products/{product_id}", json={}, headers=_bearer(roles)),
        client.put(
            f"/v1/admin/products/{product_id}/price",
            json={"price_minor": 1, "currency": "EUR"},
            headers=_bearer(roles),
        ),
        client.post(
            f"/v1/admin/products/{product_id}/stock",
            json={"delta": 1, "reason": "x"},
            headers=_bearer(roles),
        ),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 403
        assert response.json()["code"] == "role_required"


@pytest.mark.parametrize(
    "body",
    [
        {**PRODUCT, "sku": "has space"},
        {**PRODUCT, "price_minor": -1},
        {**PRODUCT, "currency": "eur"},
        {**PRODUCT, "surprise": True},
        {"sku": "MUG"},
    ],
)
async def test_an_admin_with_a_bad_body_gets_a_422_problem(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await client.post("/v1/products", json=body, headers=_bearer({"admin"}))

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_the_token_is_decoded_once_per_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    authenticate = UserAccessTokens.authenticate

    async def counting(self: UserAccessTokens, token: str) -> Principal:
        calls.append(token)
        return await authenticate(self, token)

    monkeypatch.setattr(UserAccessTokens, "authenticate", counting)

    # require_role(admin) and the route both depend on current_principal; the body is bad,
    # so the request ends at validation after authentication.
    await client.post("/v1/products", json={}, headers=_bearer({"admin"}))

    assert len(calls) == 1


async def test_register_and_login_bodies_are_checked_before_the_database(
    client: httpx.AsyncClient,
) -> None:
    bad_register = await client.post("/v1/auth/register", json={"email": "ada@example.com"})
    bad_login = await client.post(
        "/v1/auth/login", content=b"{", headers={"content-type": "application/json"}
    )
    weak = await client.post(
        "/v1/auth/register", json={"email": "ada@example.com", "password": "short"}
    )
    not_email = await client.post(
        "/v1/auth/register", json={"email": "ada", "password": "long enough password"}
    )

    assert (bad_register.status_code, bad_register.json()["code"]) == (422, "validation_error")
    assert (bad_login.status_code, bad_login.json()["code"]) == (400, "malformed_json")
    assert (weak.status_code, weak.json()["code"]) == (422, "weak_password")
    assert (not_email.status_code, not_email.json()["code"]) == (422, "bad_email")
    assert "long enough password" not in not_email.text


def test_a_short_configured_secret_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        signing_secret(Settings(identity=IdentitySettings(jwt_secret=SecretStr("short"))))


def test_without_a_configured_secret_each_process_makes_its_own() -> None:
    secret = signing_secret(Settings(identity=IdentitySettings(jwt_secret=None)))

    assert len(secret) >= 32
    assert signing_secret(Settings(identity=IdentitySettings(jwt_secret=None))) == secret


async def test_the_openapi_document_lists_the_routes_and_the_bearer_scheme(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()

    for path in ("/v1/products", "/v1/auth/login", "/v1/auth/password-reset/confirm", "/v1/me"):
        assert path in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["paths"]["/v1/me"]["get"]["security"] == [{"bearer": []}]


async def test_a_well_signed_token_of_an_ended_session_is_a_401(client: httpx.AsyncClient) -> None:
    headers = _bearer({"admin"})
    token = headers["Authorization"].removeprefix("Bearer ")
    principal = decode_access_token(
        token, keys=identity_settings(SETTINGS).keys, rules=identity_settings(SETTINGS).access_rules
    )
    assert principal.session_id is not None
    SESSIONS.end(principal.session_id)

    response = await client.post("/v1/products", json=PRODUCT, headers=headers)

    assert (response.status_code, response.json()["code"]) == (401, "session_ended")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]

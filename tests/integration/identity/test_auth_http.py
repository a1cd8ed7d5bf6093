"""Register, log in, use the token and manage the catalog through HTTP against the test DB."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orderflow.http import create_app
from orderflow.settings import Settings
from tests.support.identity import minted_token, signed_in

SECRET = "http-test-secret-http-test-secret-0123456789"
PASSWORD = "correct horse battery staple"
Sessions = async_sessionmaker[AsyncSession]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signing(settings: Settings) -> Settings:
    return settings.updated(identity={"jwt_secret": SecretStr(SECRET)})


@pytest.fixture
async def admin(sessions: Sessions, settings: Settings) -> dict[str, str]:
    _, pair = await signed_in(sessions, _signing(settings), "admin")
    return _bearer(pair.access.token)


@pytest.fixture
async def client(engine: AsyncEngine, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(engine, settings=_signing(settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _customer(client: httpx.AsyncClient) -> tuple[str, str]:
    email = f"http-{uuid.uuid4().hex[:10]}@example.com"
    registered = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 202, registered.text
    login = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return email, login.json()["access_token"]


async def test_register_log_in_and_read_me(client: httpx.AsyncClient) -> None:
    email, token = await _customer(client)

    me = await client.get("/v1/me", headers=_bearer(token))

    assert me.status_code == 200
    assert (me.json()["email"], me.json()["roles"]) == (email, ["customer"])


async def test_bad_credentials_are_one_401_problem(client: httpx.AsyncClient) -> None:
    email, _ = await _customer(client)

    wrong = await client.post("/v1/auth/login", json={"email": email, "password": "x" * 12})
    unknown = await client.post("/v1/auth/login", json={"email": f"x{email}", "password": PASSWORD})

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_credentials"
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_expired_and_forged_tokens_get_401(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    expired = minted_token(_signing(settings), "admin", now=an_hour_ago)
    forger = settings.updated(identity={"jwt_secret": SecretStr("not-" + SECRET)})
    forged = minted_token(forger, "admin")

    expired_answer = await client.get("/v1/me", headers=_bearer(expired))
    forged_answer = await client.get("/v1/me", headers=_bearer(forged))

    assert (expired_answer.status_code, expired_answer.json()["code"]) == (401, "token_expired")
    assert (forged_answer.status_code, forged_answer.json()["code"]) == (401, "invalid_token")
    assert 'error="invalid_token"' in forged_answer.headers["www-authenticate"]


async def test_a_customer_gets_403_on_admin_routes_and_an_admin_manages_the_catalog(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    _, customer = await _customer(client)
    body = {
        "sku": f"HTTP-{uuid.uuid4().hex[:8]}",
        "name": "Mug",
        "price_minor": 1299,
        "currency": "EUR",
        "initial_stock": 3,
    }

    refused = await client.post("/v1/products", json=body, headers=_bearer(customer))
    created = await client.post("/v1/products", json=body, headers=admin)
    product = created.json()["product_id"]
    repriced = await client.put(
        f"/v1/admin/products/{product}/price",
        json={"price_minor": 1499, "currency": "EUR"},
        headers=admin,
    )
    restocked = await client.post(
        f"/v1/admin/products/{product}/stock",
        json={"delta": -1, "reason": "broken"},
        headers=admin,
    )
    renamed = await client.patch(f"/v1/products/{product}", json={"name": "Big mug"}, headers=admin)
    public = await client.get(f"/v1/products/{product}")

    assert (refused.status_code, refused.json()["code"]) == (403, "role_required")
    assert created.status_code == 201
    assert created.headers["location"] == f"/v1/products/{product}"
    assert repriced.json()["price_minor"] == 1499
    assert restocked.json()["available"] == 2
    assert renamed.json()["name"] == "Big mug"
    assert public.status_code == 200
    assert (public.json()["price_minor"], public.json()["available"]) == (1499, 2)


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("post", "/v1/products", {"sku": "MUG"}, (422, "validation_error")),
        (
            "post",
            "/v1/products",
            {"sku": "M", "name": "M", "price_minor": 1, "currency": "XYZ"},
            (422, "unknown_currency"),
        ),
        (
            "put",
            "/v1/admin/products/{id}/price",
            {"price_minor": 1, "currency": "EUR"},
            (404, "product_not_found"),
        ),
        ("post", "/v1/admin/products/{id}/stock", {"delta": 1}, (422, "validation_error")),
        ("patch", "/v1/products/not-a-uuid", {}, (422, "validation_error")),
    ],
)
async def test_bad_admin_requests_get_4xx_problems_with_a_code(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    method: str,
    path: str,
    body: dict[str, object],
    expected: tuple[int, str],
) -> None:
    response = await client.request(method, path.format(id=uuid.uuid4()), json=body, headers=admin)

    assert response.headers["content-type"] == "application/problem+json"
    assert (response.status_code, response.json()["code"]) == expected


async def test_registering_a_taken_address_answers_like_a_free_one_and_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = f"http-{uuid.uuid4().hex[:10]}@example.com"
    other_password = "another horse battery staple"

    first = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    again = await client.post(
        "/v1/auth/register", json={"email": email.upper(), "password": other_password}
    )

    assert (first.status_code, first.json()) == (again.status_code, again.json())
    assert first.status_code == 202
    assert set(first.json()) == {"detail"}  # no id, nothing that differs per account
    kept = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    taken = await client.post("/v1/auth/login", json={"email": email, "password": other_password})
    assert kept.status_code == 200, kept.text
    assert taken.status_code == 401
    me = await client.get("/v1/me", headers=_bearer(kept.json()["access_token"]))
    # The owner is told (an e-mail from the notifications consumer), once per attempt.
    assert await _sign_up_attempts_on(engine, me.json()["user_id"]) == 1


async def test_registering_a_free_address_tells_nobody_of_an_attempt(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    _, token = await _customer(client)
    me = await client.get("/v1/me", headers=_bearer(token))
    assert await _sign_up_attempts_on(engine, me.json()["user_id"]) == 0


async def _sign_up_attempts_on(engine: AsyncEngine, user_id: str) -> int:
    """The ``SignUpAttempted`` outbox rows naming ``user_id``."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM outbox.events WHERE event_type = 'identity.SignUpAttempted'"
                " AND convert_from(payload, 'UTF8')::jsonb ->> 'user_id' = :user_id"
            ),
            {"user_id": user_id},
        )
    return int(found)


async def test_password_reset_over_http_answers_alike_and_refuses_bad_tokens(
    client: httpx.AsyncClient,
) -> None:
    email, _ = await _customer(client)

    known = await client.post("/v1/auth/password-reset", json={"email": email})
    unknown = await client.post("/v1/auth/password-reset", json={"email": f"no-{email}"})
    bad = await client.post(
        "/v1/auth/password-reset/confirm", json={"token": "nope", "new_password": PASSWORD}
    )

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert "token" not in known.text
    assert (bad.status_code, bad.json()["code"]) == (422, "reset_token_invalid")


async def test_browsing_needs_no_token_and_pages(client: httpx.AsyncClient) -> None:
    page = await client.get("/v1/products", params={"limit": 1})
    too_big = await client.get("/v1/products", params={"limit": 1000})

    assert page.status_code == 200
    assert len(page.json()["items"]) <= 1
    assert (too_big.status_code, too_big.json()["code"]) == (422, "validation_error")

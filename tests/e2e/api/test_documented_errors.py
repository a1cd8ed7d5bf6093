"""The OpenAPI document tells the truth about errors: real refusals of the real API (auth, roles,
unknown ids, domain rules, validation, a missing Idempotency-Key, unknown paths) are each a
status the operation documents, as ``application/problem+json``, with a body that validates
against the document's Problem schema narrowed to the operation's codes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity import api as identity
from orderflow.settings import Settings
from tests.e2e.api.conftest import Bearer, service_bearer
from tests.e2e.api.document import Document
from tests.support.identity import minted_token, signed_in
from tests.support.shop import app_settings

PASSWORD = "correct horse battery staple"
NOBODY = str(uuid.uuid4())


# Who sends a request, resolved per test by ``_headers`` (user tokens need real sessions).
CUSTOMER = {"as": "customer"}
ADMIN = {"as": "admin"}
EXPIRED = {"as": "expired"}
ENDED = {"as": "ended"}


@pytest.fixture(scope="module")
async def people(
    bearer: Bearer, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, dict[str, str]]:
    """The headers of a customer, an admin, an expired token and a token of an ended session."""
    signing = app_settings(settings, "http://127.0.0.1:9")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    user, pair = await signed_in(sessions, signing)
    principal = identity.Principal(user.id, user.roles, pair.session_id)
    await identity.end_session(principal, identity.IdentityUnitOfWork(sessions))
    return {
        "customer": bearer("customer"),
        "admin": bearer("admin"),
        "expired": {"Authorization": f"Bearer {minted_token(signing, now=an_hour_ago)}"},
        "ended": {"Authorization": f"Bearer {pair.access.token}"},
    }


def _headers(headers: dict[str, str], people: dict[str, dict[str, str]]) -> dict[str, str]:
    who = headers.get("as")
    rest = {k: v for k, v in headers.items() if k != "as"}
    return {**rest, **people[who]} if who else rest


LINE = {"sku": "NO-SUCH-SKU", "quantity": 1}
CHECKOUT = {"currency": "EUR", "items": [LINE], "payment": {"card_token": "tok_visa"}}
# (method, path, headers, JSON body, status, code): one refusal of each kind the API makes.
# fmt: off
REFUSALS: list[tuple[str, str, dict[str, str], Any, int, str]] = [
    ("GET", "/v1/me", {}, None, 401, "missing_token"),
    ("GET", "/v1/me", {"Authorization": "Bearer not-a-token"}, None, 401, "invalid_token"),
    ("GET", "/v1/me", EXPIRED, None, 401, "token_expired"),
    ("GET", "/v1/me", ENDED, None, 401, "session_ended"),
    ("POST", "/v1/auth/logout", ENDED, None, 401, "session_ended"),
    ("GET", "/v1/admin/reports/orders.csv", CUSTOMER, None, 403, "admin_required"),
    ("POST", "/v1/products", CUSTOMER, {"sku": "S-1", "name": "Mug", "price_minor": 1,
                                        "currency": "EUR"}, 403, "role_required"),
    ("GET", f"/v1/orders/{NOBODY}", CUSTOMER, None, 404, "order_not_found"),
    ("GET", f"/v1/products/{NOBODY}", {}, None, 404, "product_not_found"),
    ("GET", "/v1/products/not-a-uuid", {}, None, 422, "validation_error"),
    ("POST", f"/v1/admin/products/{NOBODY}/stock", ADMIN, {"delta": 1, "reason": "recount"},
     404, "product_not_found"),
    ("POST", f"/v1/admin/orders/{NOBODY}/refund", ADMIN, {"reason": "damaged in transit"},
     404, "order_not_found"),
    ("POST", "/v1/auth/register", {}, {"email": "weak@example.com", "password": "short"},
     422, "weak_password"),
    ("POST", "/v1/auth/register", {}, {"email": "not-an-address", "password": PASSWORD},
     422, "bad_email"),
    ("POST", "/v1/auth/login", {}, {"email": "nobody@example.com", "password": PASSWORD},
     401, "invalid_credentials"),
    ("POST", "/v1/auth/password-reset/confirm", {}, {"token": "x" * 43, "new_password": PASSWORD},
     422, "reset_token_invalid"),
    ("POST", "/v1/checkout", CUSTOMER, CHECKOUT, 400, "idempotency_key_missing"),
    ("POST", "/v1/checkout", {**CUSTOMER, "Idempotency-Key": str(uuid.uuid4())}, CHECKOUT,
     404, "unknown_sku"),
    ("POST", "/v1/orders", ADMIN, {"currency": "EUR"}, 403, "service_client_required"),
    ("POST", "/v1/orders", {**service_bearer(), "Idempotency-Key": str(uuid.uuid4())},
     {"currency": "EUR"}, 422, "validation_error"),
    ("POST", "/v1/auth/login", {}, {"email": 7}, 422, "validation_error"),
    ("GET", "/v1/admin/analytics?end=0", ADMIN, None, 422, "validation_error"),  # not a day
    ("GET", "/v1/admin/analytics/daily.csv?start=20261101", ADMIN, None, 422, "validation_error"),
    ("GET", "/v1/admin/analytics?end=0001-01-01", ADMIN, None, 422, "invalid_period"),
    ("GET", "/v1/admin/analytics/products.csv?end=0001-01-30", ADMIN, None, 422, "invalid_period"),
    ("GET", "/v1/admin/analytics?start=2026-11-02&end=2026-11-01", ADMIN, None, 422,
     "invalid_period"),
    ("GET", "/nowhere", {}, None, 404, "not_found"),
    ("DELETE", "/v1/products", {}, None, 405, "method_not_allowed"),
]
# fmt: on


@pytest.mark.parametrize(("method", "path", "headers", "body", "status", "code"), REFUSALS)
async def test_a_real_refusal_is_what_the_document_says(
    api: str,
    document: Document,
    people: dict[str, dict[str, str]],
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
    status: int,
    code: str,
) -> None:
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        response = await client.request(method, path, headers=_headers(headers, people), json=body)

    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    document.check(response)


async def test_a_registered_address_gets_the_documented_answer_of_a_free_one(
    api: str, document: Document
) -> None:
    body = {"email": f"twice-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        first = await client.post("/v1/auth/register", json=body)
        again = await client.post("/v1/auth/register", json=body)

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert first.status_code == 202
    document.check(first)
    document.check(again)


def _answer(method: str, path: str, status: int, body: Any, media_type: str) -> httpx.Response:
    request = httpx.Request(method, f"http://test{path}")
    response = httpx.Response(
        status, json=body, headers={"content-type": media_type}, request=request
    )
    response.elapsed = timedelta(0)
    return response


PROBLEM = "application/problem+json"
A_PROBLEM = {"type": "t", "title": "T", "status": 404, "code": "order_not_found", "detail": "d"}
FASTAPI_422 = {"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]}
# What the API must never answer, each one a way the document could be lying.
# fmt: off
LIES = [
    ("GET", f"/v1/orders/{NOBODY}", 500, {**A_PROBLEM, "status": 500}, PROBLEM),  # undocumented
    ("GET", f"/v1/orders/{NOBODY}", 404, A_PROBLEM, "application/json"),  # not a problem
    ("GET", f"/v1/orders/{NOBODY}", 404, {**A_PROBLEM, "code": "no_such_thing"}, PROBLEM),
    ("GET", f"/v1/orders/{NOBODY}", 404, {"code": "order_not_found"}, PROBLEM),  # incomplete
    ("POST", "/v1/auth/login", 422, FASTAPI_422, PROBLEM),  # FastAPI's own 422 shape
    ("GET", "/nowhere", 404, {"detail": "Not Found"}, PROBLEM),  # no operation: still a Problem
]
# fmt: on


@pytest.mark.parametrize(("method", "path", "status", "body", "media_type"), LIES)
async def test_the_check_refuses_an_answer_the_document_does_not_describe(
    document: Document, method: str, path: str, status: int, body: Any, media_type: str
) -> None:
    with pytest.raises(AssertionError):
        document.check(_answer(method, path, status, body, media_type))


async def test_the_check_accepts_the_documented_problem(document: Document) -> None:
    document.check(_answer("GET", f"/v1/orders/{NOBODY}", 404, A_PROBLEM, PROBLEM))

"""Malformed requests get a 4xx problem with a stable code on every route, never a 500, and
change nothing: the real API under uvicorn on the real database. Every answer is also one the
OpenAPI document lists for its operation (status, content type, body: ``document.check``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.e2e.api.conftest import Bearer, raw_request, service_bearer
from tests.e2e.api.document import Document
from tests.support.intake import Sessions, submission
from tests.support.shop import new_product

PRODUCT = f"/v1/products/{uuid.uuid4()}"
# One route of each kind: public, authenticated, admin, unmatched.
ROUTES = ["/healthz", "/v1/products", "/v1/me", "/v1/admin/reports/orders.csv", "/nowhere"]


@pytest.mark.parametrize("path", ROUTES)
async def test_a_header_that_is_not_utf8_is_a_400_on_every_route(
    api: str, document: Document, path: str
) -> None:
    head = f"GET {path} HTTP/1.1\r\nHost: test".encode() + b"\r\nX-Note: caf\xe9 \xff\xfe"

    response = await raw_request(api, head)

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_header"
    if path != "/nowhere":  # a path nobody serves has no operation to document a 400
        document.check(response)


async def test_a_bearer_token_that_is_not_utf8_is_a_400(api: str, document: Document) -> None:
    response = await raw_request(
        api, b"GET /v1/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \xc3\x28"
    )

    assert (response.status_code, response.json()["code"]) == (400, "malformed_header")
    document.check(response)


async def test_a_nul_in_a_header_is_refused_by_the_server_with_a_400(api: str) -> None:
    response = await raw_request(api, b"GET /v1/products HTTP/1.1\r\nHost: t\r\nX-Note: a\x00b")

    assert response.status_code == 400  # uvicorn's HTTP parser refuses it before the application


async def test_a_correlation_id_with_unsafe_characters_is_replaced(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        kept = await client.get("/healthz", headers={"X-Correlation-ID": "order-42.retry:1"})
        replaced = await client.get("/healthz", headers={"X-Correlation-ID": "<b>evil id"})

    assert kept.headers["x-correlation-id"] == "order-42.retry:1"
    assert replaced.headers["x-correlation-id"] not in ("<b>evil id", "")


# Every route that stores text, with a NUL in one of its strings (PostgreSQL refuses it).
CHECKOUT = {"currency": "EUR", "items": [{"sku": "S\x00", "quantity": 1}], "payment": {}}
LINE = {"sku": "\x00", "quantity": 1}
ORDER_BODY = {
    "external_reference": "ref-1",
    "customer_id": str(uuid.uuid4()),
    "currency": "EUR",
    "lines": [LINE],
}
SERVICE = ("service",)  # a service client, not a person
PRODUCT_BODY = {"sku": "S-1", "name": "Mu\x00g", "price_minor": 1, "currency": "EUR"}
STOCK = f"/v1/admin/products/{uuid.uuid4()}/stock"
# fmt: off
NUL_BODIES = [
    ("POST", "/v1/auth/register", {"email": "a\x00@example.com", "password": "x" * 12}, ()),
    ("POST", "/v1/auth/login", {"email": "a@example.com", "password": "pass\x00word"}, ()),
    ("POST", "/v1/auth/password-reset", {"email": "a\x00@example.com"}, ()),
    ("POST", "/v1/auth/password-reset/confirm", {"token": "\x00", "new_password": "x" * 12}, ()),
    ("POST", "/v1/products", PRODUCT_BODY, ("admin",)),
    ("PATCH", PRODUCT, {"description": "\x00"}, ("admin",)),
    ("POST", STOCK, {"delta": 1, "reason": "a\x00"}, ("admin",)),
    ("POST", f"/v1/admin/orders/{uuid.uuid4()}/refund", {"reason": "damaged\x00"}, ("admin",)),
    ("POST", "/v1/checkout", CHECKOUT, ()),
    ("POST", "/v1/orders", ORDER_BODY, SERVICE),
    ("POST", "/v1/auth/login", {"email\x00": "a@example.com", "password": "p"}, ()),  # a key
    ("POST", "/v1/auth/login", {"email": "a@example.com", "password": "\ud800"}, ()),  # surrogate
]
# fmt: on


@pytest.mark.parametrize(("method", "path", "body", "roles"), NUL_BODIES)
async def test_a_string_that_cannot_be_stored_is_a_422_on_every_route(
    api: str,
    bearer: Bearer,
    document: Document,
    method: str,
    path: str,
    body: dict[str, object],
    roles: tuple[str, ...],
) -> None:
    content = json.dumps(body).encode()  # ASCII with \u0000 / \ud800 escapes, as clients send
    headers = {"content-type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=api) as client:
        auth = service_bearer() if roles == SERVICE else bearer(*roles)
        response = await client.request(method, path, content=content, headers={**headers, **auth})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_character"
    assert problem["errors"][0]["loc"][0] == "body"
    document.check(response)


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("/v1/search?q=mug%00", 422, "invalid_character"),
        ("/v1/search?q=%FF%FE", 400, "malformed_url"),
        ("/v1/products?after=%C3%28", 400, "malformed_url"),
        ("/v1/products/%FF", 400, "malformed_url"),
        ("/v1/products/%00", 422, "invalid_character"),
    ],
)
async def test_nul_and_bytes_that_are_not_utf8_in_the_url(
    api: str, document: Document, target: str, status: int, code: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        response = await client.get(httpx.URL(api + target))

    assert (response.status_code, response.json()["code"]) == (status, code)
    document.check(response)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"email": "caf\xe9@example.com", "password": "p"}', "malformed_json"),  # latin-1
        (b'{"email": ', "malformed_json"),
        (b"[" * 33 + b"]" * 33, "json_too_deep"),
        (b"[" * 200_000 + b"]" * 200_000, "json_too_deep"),  # past Python's recursion limit
        (b'{"email": "a@b.c", "password": ' + b"9" * 5000 + b"}", "malformed_json"),
    ],
)
async def test_bodies_that_are_not_utf8_json_or_too_deep_are_400(
    api: str, document: Document, content: bytes, code: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        response = await client.post(
            "/v1/auth/login", content=content, headers={"content-type": "application/json"}
        )

    assert (response.status_code, response.json()["code"]) == (400, code)
    document.check(response)


@pytest.mark.parametrize("quantity", ["2", True, 2.5, None])
async def test_quantities_are_json_numbers(api: str, document: Document, quantity: object) -> None:
    body = submission("SKU-1")
    body["lines"][0]["quantity"] = quantity
    headers = {**service_bearer(), "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=api, headers=headers) as client:
        response = await client.post("/v1/orders", json=body)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "lines", 0, "quantity"]
    document.check(response)


async def test_a_whole_number_written_as_2_0_is_the_integer_2(api: str, sessions: Sessions) -> None:
    body = submission(await new_product(sessions, stock=5))
    body["lines"][0]["quantity"] = 2.0
    headers = {**service_bearer(), "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=api, headers=headers) as client:
        response = await client.post("/v1/orders", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["order"]["lines"][0]["quantity"] == 2


@pytest.mark.parametrize("active", ["true", 1])
async def test_booleans_are_json_booleans(
    api: str, bearer: Bearer, document: Document, active: object
) -> None:
    async with httpx.AsyncClient(base_url=api, headers=bearer("admin")) as client:
        response = await client.patch(PRODUCT, json={"active": active})

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "active"]
    document.check(response)


async def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_sent(
    api: str, document: Document
) -> None:
    head = b"POST /v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    response = await raw_request(api, head + b"Content-Length: 10485760")

    assert (response.status_code, response.json()["code"]) == (413, "body_too_large")
    document.check(response)


async def test_a_streamed_ten_megabyte_body_is_a_413(api: str) -> None:
    async def ten_megabytes() -> AsyncIterator[bytes]:
        for _ in range(160):
            yield b" " * 65_536

    async with httpx.AsyncClient(base_url=api) as client:
        try:
            response = await client.post(
                "/v1/auth/login",
                content=ten_megabytes(),
                headers={"content-type": "application/json"},
            )
        except httpx.TransportError:  # the server may close while we still send: also a refusal
            return
    assert (response.status_code, response.json()["code"]) == (413, "body_too_large")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", PRODUCT, "GET, PATCH"),
        ("DELETE", "/v1/checkout", "POST"),
        ("POST", "/healthz", "GET"),
        ("HEAD", "/v1/products", "GET, POST"),  # FastAPI answers HEAD only where declared
    ],
)
async def test_a_method_not_allowed_is_a_405_problem_naming_every_allowed_method(
    api: str, document: Document, method: str, path: str, allowed: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        response = await client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json()["code"] == "method_not_allowed"
    document.check(response)

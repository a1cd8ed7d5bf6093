"""The HTTP edge without a database: the body limit while streaming, the OpenAPI document,
and the offline docs pages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import Message, Receive, Scope, Send

from orderflow.http import create_app
from orderflow.http.guard import RequestGuard
from orderflow.settings import DatabaseSettings, HttpSettings, IdentitySettings, Settings

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
CHUNK = 65_536


def _settings(**http: Any) -> Settings:
    return Settings(
        database=DatabaseSettings(url=UNREACHABLE),
        identity=IdentitySettings(
            jwt_secret=SecretStr("edge-test-secret-edge-test-secret-0123456789")
        ),
        http=HttpSettings(**http),
    )


async def _client(**http: Any) -> httpx.AsyncClient:
    app = create_app(create_async_engine(UNREACHABLE), settings=_settings(**http))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_ten_megabyte_body_is_refused_after_reading_just_past_the_limit() -> None:
    reached_app: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached_app.append(True)

    pulled = 0

    async def receive() -> Message:  # a client streaming 10 MB without a Content-Length
        nonlocal pulled
        pulled += CHUNK
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": pulled < 10 * 2**20}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/orders",
        "headers": [],
        "query_string": b"",
    }
    await RequestGuard(app, max_body_bytes=2**20, max_json_depth=32)(scope, receive, send)

    assert sent[0]["status"] == 413
    assert pulled <= 2**20 + CHUNK  # stopped reading one chunk past the limit, not at 10 MB
    assert not reached_app


OAUTH_ERRORS = {("/v1/oauth/token", "400"), ("/v1/oauth/token", "401")}


async def test_every_error_response_in_the_document_is_a_problem() -> None:
    async with await _client() as client:
        document = (await client.get("/openapi.json")).json()

    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "code", "detail"}
    errors = [
        (path, method, status, response)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if int(status) >= 400
    ]
    assert len(errors) > 60
    for path, method, status, response in errors:
        ((media_type, content),) = response["content"].items()
        if (path, status) in OAUTH_ERRORS:  # RFC 6749 §5.2 errors: what OAuth clients parse
            assert content["schema"]["required"] == ["error"]
            continue
        assert media_type == "application/problem+json", (path, method, status)
        problem, codes = content["schema"]["allOf"]
        assert problem == {"$ref": "#/components/schemas/Problem"}
        assert codes["properties"]["code"]["enum"], (path, method, status)


async def test_the_document_lists_each_operations_codes_and_the_required_key() -> None:
    async with await _client() as client:
        document = (await client.get("/openapi.json")).json()

    checkout = document["paths"]["/v1/checkout"]["post"]
    (key,) = [p for p in checkout["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] is True

    def codes(status: str) -> list[str]:
        schema = checkout["responses"][status]["content"]["application/problem+json"]["schema"]
        return list(schema["allOf"][1]["properties"]["code"]["enum"])

    assert "idempotency_key_missing" in codes("400")
    assert {"validation_error", "invalid_character", "idempotency_key_reused"} <= set(codes("422"))
    assert codes("413") == ["body_too_large"]
    assert codes("401") == ["invalid_token", "missing_token", "session_ended", "token_expired"]


@pytest.mark.parametrize(
    ("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
async def test_the_docs_pages_load_their_assets_from_the_api_not_a_cdn(
    page: str, asset: str
) -> None:
    async with await _client() as client:
        html = (await client.get(page)).text
        script = await client.get(f"/docs/assets/{asset}")

    assert f'src="/docs/assets/{asset}"' in html
    assert "cdn." not in html
    assert "googleapis" not in html
    assert script.status_code == 200
    assert len(script.content) > 100_000

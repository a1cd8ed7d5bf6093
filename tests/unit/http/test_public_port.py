"""The API's public port: no ``/metrics`` (they are on the operations port), a liveness that
asks nothing of the database, and a readiness that does — the document says the same."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from orderflow.http import create_app
from orderflow.settings import DatabaseSettings, IdentitySettings, Settings

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"  # nothing listens on port 9


def _client() -> httpx.AsyncClient:
    settings = Settings(
        database=DatabaseSettings(url=UNREACHABLE),
        identity=IdentitySettings(
            jwt_secret=SecretStr("public-port-secret-public-port-0123456789")
        ),
    )
    app = create_app(create_async_engine(UNREACHABLE), settings=settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


async def test_the_public_app_answers_404_for_metrics() -> None:
    async with _client() as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "orderflow_" not in answer.text


async def test_liveness_answers_without_the_database_readiness_names_it() -> None:
    async with _client() as client:
        alive = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert (alive.status_code, alive.text) == (200, "ok")
    assert ready.status_code == 503
    assert (ready.json()["code"], ready.json()["failing"]) == ("not_ready", ["database"])


async def test_the_document_has_no_metrics_and_a_liveness_that_cannot_fail() -> None:
    async with _client() as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/metrics" not in paths
    liveness = paths["/healthz"]["get"]["responses"]
    assert "503" not in liveness  # only the edge's own refusals (a malformed request) besides 200
    assert "text/plain" in liveness["200"]["content"]
    assert set(paths["/readyz"]["get"]["responses"]) >= {"200", "503"}

"""The API served by uvicorn on the test database, and raw HTTP for bytes clients refuse to send."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orderflow.http import create_app
from orderflow.http.client_auth import install_client_auth
from orderflow.settings import Settings
from tests.e2e.api.document import Document
from tests.support.identity import signed_in
from tests.support.intake import KnownClients, service_client
from tests.support.processes import serving
from tests.support.shop import app_settings


@pytest.fixture(scope="module")
async def api(settings: Settings, engine: AsyncEngine) -> AsyncIterator[str]:
    """The orderflow API on a port (no payment provider: these requests never reach it)."""
    app = create_app(engine, settings=app_settings(settings, "http://127.0.0.1:9"))
    install_client_auth(app, SERVICES)
    async with serving(app) as url:
        yield url


SERVICES = KnownClients()


def service_bearer() -> dict[str, str]:
    """An Authorization header for a new service client that may submit orders."""
    return SERVICES.add(service_client())


Bearer = Callable[..., dict[str, str]]


@pytest.fixture(scope="module")
async def bearer(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Bearer:
    """``bearer(*roles)``: the Authorization header of a signed-in admin when ``roles`` has
    admin, else of a signed-in customer (real sessions: the API checks them)."""
    signing = app_settings(settings, "http://127.0.0.1:9")
    headers = {}
    for role in ("customer", "admin"):
        _, pair = await signed_in(sessions, signing, role)
        headers[role] = {"Authorization": f"Bearer {pair.access.token}"}

    def of(*roles: str) -> dict[str, str]:
        return headers["admin" if "admin" in roles else "customer"]

    return of


async def raw_request(base_url: str, head: bytes, body: bytes = b"") -> httpx.Response:
    """Send ``head`` (request line and headers, CRLF-separated) and ``body`` as they are;
    the answer (its body whole: the connection is closed after it)."""
    address = urlsplit(base_url)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    header_block, _, content = rest.partition(b"\r\n\r\n")
    headers = [line.partition(b": ")[::2] for line in header_block.split(b"\r\n") if line]
    method, target = head.split(b" ", 2)[:2]
    request = httpx.Request(method.decode(), base_url + target.decode("latin-1"))
    response = httpx.Response(
        int(status_line.split()[1]), headers=headers, content=content, request=request
    )
    response.elapsed = timedelta(seconds=time.monotonic() - started)
    return response


@pytest.fixture(scope="module")
async def document(api: str) -> Document:
    """The OpenAPI document the API serves."""
    async with httpx.AsyncClient(base_url=api) as client:
        return Document((await client.get("/openapi.json")).json())

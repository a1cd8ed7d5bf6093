"""The API served by uvicorn on the test database, and raw HTTP for bytes clients refuse to send."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.identity.api import Principal, issue_access_token
from orderflow.http import create_app
from orderflow.http.client_auth import install_client_auth
from orderflow.settings import Settings
from tests.support.intake import KnownClients, service_client
from tests.support.processes import serving
from tests.support.shop import SECRET, app_settings


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


def bearer(*roles: str) -> dict[str, str]:
    """An Authorization header for a new user with ``roles``."""
    principal = Principal(uuid.uuid4(), frozenset(roles or ("customer",)))
    token = issue_access_token(principal, secret=SECRET, ttl_seconds=600).token
    return {"Authorization": f"Bearer {token}"}


async def raw_request(base_url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, CRLF-separated) and ``body`` as they are;
    the status and body of the answer."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]

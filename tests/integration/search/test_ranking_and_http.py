"""``GET /v1/search``: ranking, pagination, and who may search orders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orderflow.http import create_app
from orderflow.settings import Settings
from tests.integration.search.support import created, index, updated
from tests.support.identity import bearer, signed_in

SECRET = "search-tests-secret-search-tests-secret-0123"
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The API in process (ASGI transport)."""
    app = create_app(engine, settings=_signing(settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


async def bearer_of(sessions: Sessions, settings: Settings, *roles: str) -> dict[str, str]:
    """An Authorization header of a new user with ``roles``, logged in."""
    _, pair = await signed_in(sessions, _signing(settings), *roles)
    return bearer(pair.access.token)


def _signing(settings: Settings) -> Settings:
    return settings.updated(identity={"jwt_secret": SecretStr(SECRET)})


async def test_a_name_match_ranks_above_a_description_match(
    sessions: Sessions, client: httpx.AsyncClient, unique: str
) -> None:
    word = f"kettle{unique}"
    in_name, in_text = uuid.uuid4(), uuid.uuid4()
    await index(
        sessions,
        (created(in_text, "Teapot", description=f"goes well with a {word}"), 1),
        (created(in_name, f"Steel {word}", description="1.7 litres"), 1),
    )
    response = await client.get("/v1/search", params={"q": word})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 2
    assert [item["id"] for item in body["items"]] == [str(in_name), str(in_text)]


async def test_pages_are_disjoint_stable_and_cover_every_hit(
    sessions: Sessions, client: httpx.AsyncClient, unique: str
) -> None:
    word = f"lamp{unique}"
    ids = {uuid.uuid4() for _ in range(7)}
    await index(sessions, *((created(i, f"Desk {word}"), 1) for i in ids))
    pages = []
    for page in (1, 2, 3, 4):
        response = await client.get("/v1/search", params={"q": word, "size": 3, "page": page})
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 7
        pages.append([item["id"] for item in response.json()["items"]])
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert {uuid.UUID(i) for p in pages for i in p} == ids


async def test_websearch_syntax_excludes_words_and_inactive_products_are_hidden(
    sessions: Sessions, client: httpx.AsyncClient, unique: str
) -> None:
    word = f"chair{unique}"
    oak, pine, hidden = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await index(
        sessions,
        (created(oak, f"Oak {word}"), 1),
        (created(pine, f"Pine {word}"), 1),
        (created(hidden, f"Oak {word} prototype"), 1),
        (updated(hidden, f"Oak {word} prototype", active=False), 2),
    )
    response = await client.get("/v1/search", params={"q": f"{word} -pine"})
    assert [item["id"] for item in response.json()["items"]] == [str(oak)]


async def test_orders_are_searchable_by_staff_only(
    client: httpx.AsyncClient, sessions: Sessions, settings: Settings
) -> None:
    params = {"q": "pending", "kind": "order"}
    anonymous = await client.get("/v1/search", params=params)
    customer = await client.get(
        "/v1/search", params=params, headers=await bearer_of(sessions, settings, "customer")
    )
    operator = await client.get(
        "/v1/search", params=params, headers=await bearer_of(sessions, settings, "operator")
    )
    assert anonymous.status_code == 401
    assert customer.status_code == 403
    assert customer.json()["code"] == "role_required"
    assert operator.status_code == 200


async def test_a_bad_query_is_a_clear_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/search", params={"q": "", "size": 1000})
    assert response.status_code == 422

"""``/v1/admin/analytics``: the figures as JSON and CSV, for admins only."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from orderflow.http import create_app
from orderflow.settings import Settings
from tests.integration.analytics.support import Sessions, apply
from tests.support.history import EXPECTED_RATES, History, random_past_day, shop_day
from tests.support.identity import signed_in

SECRET = "analytics-tests-secret-analytics-tests-0123"
Bearer = Callable[[str], dict[str, str]]


@pytest.fixture(scope="module")
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The API in process (ASGI transport)."""
    app = create_app(engine, settings=settings.updated(identity={"jwt_secret": SecretStr(SECRET)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


@pytest.fixture(scope="module")
async def history(sessions: Sessions) -> History:
    """A day of the shop in the live facts."""
    day = shop_day(random_past_day())
    await apply(sessions, day.envelopes)
    return day


@pytest.fixture(scope="module")
async def bearer(settings: Settings, sessions: Sessions) -> Bearer:
    """``bearer(role)``: the Authorization header of a signed-in user with ``role``."""
    signing = settings.updated(identity={"jwt_secret": SecretStr(SECRET)})
    headers = {}
    for role in ("customer", "admin"):
        _, pair = await signed_in(sessions, signing, role)
        headers[role] = {"Authorization": f"Bearer {pair.access.token}"}
    return headers.__getitem__


def _day(history: History) -> dict[str, str]:
    return {"start": str(history.day), "end": str(history.day + timedelta(days=1))}


async def test_an_admin_reads_the_figures_of_a_period(
    client: httpx.AsyncClient, history: History, bearer: Bearer
) -> None:
    response = await client.get(
        "/v1/admin/analytics", params=_day(history), headers=bearer("admin")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rates"] == EXPECTED_RATES
    assert [(c["currency"], c["net_revenue_minor"]) for c in body["currencies"]] == [
        ("EUR", 2500),
        ("USD", 1200),
    ]
    assert body["top_products"][0]["sku"] == history.sku("A")


async def test_the_daily_figures_and_top_products_as_csv(
    client: httpx.AsyncClient, history: History, bearer: Bearer
) -> None:
    admin = bearer("admin")
    daily = await client.get("/v1/admin/analytics/daily.csv", params=_day(history), headers=admin)
    products = await client.get(
        "/v1/admin/analytics/products.csv", params=_day(history), headers=admin
    )
    assert daily.status_code == products.status_code == 200
    assert daily.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(daily.text)))
    assert [(r["day"], r["currency"], r["orders_placed"], r["sales_minor"]) for r in rows] == [
        (str(history.day), "EUR", "4", "4500"),
        (str(history.day), "USD", "1", "1200"),
    ]
    lines = products.text.splitlines()
    assert lines[0] == "sku,name,currency,units,orders,sales_minor"
    assert lines[1] == f"{history.sku('A')},Alpha mug,EUR,2,1,2000"


async def test_only_admins_read_analytics(client: httpx.AsyncClient, bearer: Bearer) -> None:
    anonymous = await client.get("/v1/admin/analytics")
    customer = await client.get("/v1/admin/analytics", headers=bearer("customer"))
    assert (anonymous.status_code, customer.status_code) == (401, 403)
    assert customer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-01-02", "end": "2026-01-01"}, "invalid_period"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "period_too_long"),
    ],
)
async def test_a_bad_period_is_a_problem_naming_it(
    client: httpx.AsyncClient, bearer: Bearer, params: dict[str, str], code: str
) -> None:
    response = await client.get("/v1/admin/analytics", params=params, headers=bearer("admin"))
    assert response.status_code == 422
    assert response.json()["code"] == code

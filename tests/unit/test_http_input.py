"""Bad HTTP input gets a problem response with a code, before any database work."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from orderflow.http import create_app
from orderflow.http.client_auth import install_client_auth
from orderflow.settings import DatabaseSettings, IdentitySettings, Settings
from tests.support.intake import KnownClients, service_client

# Nothing connects to this address: every request below must be refused before any query.
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
GOOD_LINE = {"sku": "SKU-1", "quantity": 1}
REF = {"external_reference": "r-1"}
CUSTOMER = "6f1c1f55-6b0e-4a53-9d59-1c4f6f0b1e29"
SECRET = "input-test-secret-input-test-secret-0123456789"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database=DatabaseSettings(url=UNREACHABLE),
        identity=IdentitySettings(jwt_secret=SecretStr(SECRET)),
    )
    app = create_app(create_async_engine(UNREACHABLE), settings=settings)
    clients = KnownClients()
    install_client_auth(app, clients)
    transport = httpx.ASGITransport(app=app)
    headers = {**clients.add(service_client()), "Idempotency-Key": "k-1"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


async def test_malformed_json_is_a_400_with_a_code(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/orders", content=b'{"customer_id": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**REF, "currency": "EUR", "lines": [GOOD_LINE]}, "customer_id"),
        ({**REF, "customer_id": CUSTOMER, "lines": [GOOD_LINE]}, "currency"),
        ({**REF, "customer_id": CUSTOMER, "currency": "EUR", "lines": []}, "lines"),
        (
            {
                **REF,
                "customer_id": CUSTOMER,
                "currency": "EUR",
                "lines": [{**GOOD_LINE, "quantity": -2}],
            },
            "quantity",
        ),
        ({**REF, "customer_id": CUSTOMER, "currency": "eur", "lines": [GOOD_LINE]}, "currency"),
        ({**REF, "customer_id": "nope", "currency": "EUR", "lines": [GOOD_LINE]}, "customer_id"),
    ],
)
async def test_schema_errors_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/orders", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert any(field in map(str, error["loc"]) for error in problem["errors"])


async def test_an_unknown_currency_is_a_422_with_its_own_code(client: httpx.AsyncClient) -> None:
    body = {**REF, "customer_id": CUSTOMER, "currency": "XYZ", "lines": [GOOD_LINE]}

    response = await client.post("/v1/orders", json=body)

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_currency"


async def test_the_correlation_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/orders", json={}, headers={"X-Correlation-ID": "corr-from-client"}
    )

    assert response.headers["x-correlation-id"] == "corr-from-client"

"""A shop to test against over HTTP: API settings, authenticated shoppers, products, carts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog.api import CatalogUnitOfWork, CreateProduct, ProductView, create_product
from orderflow.settings import Settings
from tests.support.identity import bearer, signed_in

SECRET = "checkout-e2e-secret-checkout-e2e-secret-0123"
# The ``make_product`` fixture of the catalog tests: keyword options, a product with stock.
MakeProduct = Callable[..., Awaitable[ProductView]]


def app_settings(settings: Settings, provider_url: str, **payments: object) -> Settings:
    """Settings of an API under test: short provider timeouts, a lenient breaker."""
    values: dict[str, object] = {
        "provider_url": provider_url,
        "timeout_seconds": 0.5,
        "attempts": 2,
        "budget_seconds": 2.0,
        "breaker_failures": 1000,
        **payments,
    }
    return signing(settings).updated(payments=values)


def signing(settings: Settings) -> Settings:
    """``settings`` with the shop's signing secret (APIs under test and their shoppers)."""
    return settings.updated(identity={"jwt_secret": SecretStr(SECRET)})


@dataclass(frozen=True)
class Shopper:
    """A user with a token and an HTTP client."""

    user_id: uuid.UUID
    client: httpx.AsyncClient


@asynccontextmanager
async def shopper_at(
    base_url: str, sessions: async_sessionmaker[AsyncSession], settings: Settings, *roles: str
) -> AsyncIterator[Shopper]:
    """A client logged in as a new user with ``roles`` (a real account and session; tokens
    signed as an API built from ``app_settings(settings, ...)`` expects)."""
    user, pair = await signed_in(sessions, signing(settings), *roles)
    headers = bearer(pair.access.token)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        yield Shopper(user.id, client)


async def new_product(
    sessions: async_sessionmaker[AsyncSession], *, stock: int, price_minor: int = 1250
) -> str:
    """A product with ``stock`` units; returns its SKU."""
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    command = CreateProduct(
        sku=sku,
        name="Mug",
        description="A mug",
        price_minor=price_minor,
        currency="EUR",
        initial_stock=stock,
    )
    await create_product(command, CatalogUnitOfWork(sessions))
    return sku


def cart(sku: str, quantity: int = 1, token: str = "tok_visa") -> dict[str, object]:  # noqa: S107
    """A checkout body."""
    return {
        "currency": "EUR",
        "items": [{"sku": sku, "quantity": quantity}],
        "payment": {"card_token": token},
    }


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": str(uuid.uuid4())}


async def available(sessions: async_sessionmaker[AsyncSession], sku: str) -> int:
    """Sellable stock of ``sku``."""
    async with sessions() as session:
        sql = "SELECT available FROM catalog.stock_levels WHERE sku = :sku"
        return int(await session.scalar(text(sql), {"sku": sku}))

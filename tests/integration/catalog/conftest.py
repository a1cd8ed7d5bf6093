"""Catalog fixtures: products with known stock in the test database."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import events.schemas  # noqa: F401  (registers every event)
from domains.catalog.api import CatalogUnitOfWork, CreateProduct, ProductView, create_product
from events import registry
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics

MakeProduct = Callable[..., Awaitable[ProductView]]


@pytest.fixture
def make_product(sessions: async_sessionmaker[AsyncSession]) -> MakeProduct:
    """Create a product with a fresh SKU (``prefix-<random>``) and ``stock`` units."""

    async def make(
        *,
        stock: int = 10,
        price_minor: int = 1299,
        currency: str = "EUR",
        active: bool = True,
        prefix: str = "SKU",
    ) -> ProductView:
        command = CreateProduct(
            sku=f"{prefix}-{uuid.uuid4().hex[:10]}",
            name="Test product",
            description="made by a test",
            price_minor=price_minor,
            currency=currency,
            active=active,
            initial_stock=stock,
        )
        return await create_product(command, CatalogUnitOfWork(sessions))

    return make


@pytest.fixture(scope="session", autouse=True)
async def catalog_and_identity_topics(kafka: KafkaConnection) -> None:
    """Our event topics exist, so a relay running later in this session can publish our rows.

    (Without them, rows these tests leave in the shared outbox stall other tests' relays.)
    """
    names = [t for t in registry.topics() if t.startswith(("catalog.", "identity."))]
    await ensure_topics(kafka, [TopicSpec(name) for name in names])

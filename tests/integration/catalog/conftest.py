"""Catalog fixtures: products with known stock in the test database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.catalog.api import CatalogUnitOfWork, CreateProduct, ProductView, create_product
from tests.support.shop import MakeProduct


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

"""Load and store products and stock levels; every product update checks the version it read."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.model import Product
from domains.catalog.pricing import Price
from domains.catalog.tables import products, stock_levels
from domains.shared import Aggregate, Conflict, VersionedRows


@dataclass(frozen=True)
class ProductView:
    """A product as shoppers and admins browse it, with its sellable stock."""

    product: Product
    available: int


class ProductRepository:
    """Products in PostgreSQL; ``track`` hands loaded or added products to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track
        self._versions = VersionedRows(session, products, "product")

    async def add(self, product: Product) -> None:
        """Insert a new product (its SKU must be new: ``Conflict`` otherwise)."""
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(products).values(_product_row(product)))
        except IntegrityError as exc:
            if "uq_products_sku" not in str(exc.orig):
                raise
            raise Conflict(
                f"SKU {product.sku} is already in the catalog", code="sku_taken"
            ) from None
        self._remember(product)

    async def get(self, product_id: uuid.UUID) -> Product | None:
        """The product with ``product_id``, or None."""
        row = (
            await self._session.execute(select(products).where(products.c.id == product_id))
        ).first()
        if row is None:
            return None
        product = _product(row)
        self._remember(product)
        return product

    async def save(self, product: Product) -> None:
        """Write a changed product; ``ConcurrentUpdate`` when it changed since it was read."""
        await self._versions.save(product.id, product.version, _product_row(product))

    async def view(self, product_id: uuid.UUID) -> ProductView | None:
        """The product and its available stock, or None."""
        query = _views().where(products.c.id == product_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else ProductView(_product(row), row.available)

    async def page(self, *, after: str | None, limit: int, active_only: bool) -> list[ProductView]:
        """Up to ``limit`` products ordered by SKU, starting after the SKU ``after``."""
        query = _views().order_by(products.c.sku).limit(limit)
        if after is not None:
            query = query.where(products.c.sku > after)
        if active_only:
            query = query.where(products.c.active)
        return [ProductView(_product(r), r.available) for r in await self._session.execute(query)]

    def _remember(self, product: Product) -> None:
        self._versions.remember(product.id, product.version)
        self._track(product)


async def prices_of(session: AsyncSession, skus: Sequence[str]) -> dict[str, Price]:
    """The current price of every known SKU among ``skus``."""
    query = select(products.c.sku, products.c.price_minor, products.c.currency, products.c.active)
    rows = await session.execute(query.where(products.c.sku.in_(set(skus))))
    return {r.sku: Price(r.price_minor, r.currency, r.active) for r in rows}


def _views() -> Select[Any]:
    return select(products, stock_levels.c.available).join(
        stock_levels, stock_levels.c.product_id == products.c.id
    )


def _product(row: Row[Any]) -> Product:
    m = row._mapping
    return Product(
        id=m["id"],
        sku=m["sku"],
        name=m["name"],
        description=m["description"],
        price_minor=m["price_minor"],
        currency=m["currency"],
        active=m["active"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        version=m["version"],
    )


def _product_row(product: Product) -> dict[str, object]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price_minor": product.price_minor,
        "currency": product.currency,
        "active": product.active,
        "version": product.version,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }

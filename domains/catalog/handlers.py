"""Command and query handlers of the catalog: admin changes and public browsing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domains.catalog.model import Product
from domains.catalog.repository import ProductView
from domains.catalog.stock import StockLevel
from domains.catalog.unit_of_work import CatalogUnitOfWork
from domains.shared import InvalidInput, NotFound

MAX_PAGE = 100


@dataclass(frozen=True)
class CreateProduct:
    """Command: add a product, optionally with its first stock."""

    sku: str
    name: str
    description: str
    price_minor: int
    currency: str
    active: bool = True
    initial_stock: int = 0


@dataclass(frozen=True)
class UpdateProduct:
    """Command: change the descriptive fields that are not None."""

    product_id: uuid.UUID
    name: str | None = None
    description: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class ChangePrice:
    """Command: set a product's unit price."""

    product_id: uuid.UUID
    price_minor: int
    currency: str


@dataclass(frozen=True)
class AdjustStock:
    """Command: add (or, when negative, remove) ``delta`` units of stock."""

    product_id: uuid.UUID
    delta: int
    reason: str


@dataclass(frozen=True)
class ProductPage:
    """One page of the catalog; ``next_after`` is the cursor of the next page, if any."""

    items: tuple[ProductView, ...]
    next_after: str | None


async def create_product(command: CreateProduct, uow: CatalogUnitOfWork) -> ProductView:
    """Create the product, its stock level and their events in one transaction."""
    if command.initial_stock < 0:
        raise InvalidInput("initial stock must not be negative", code="bad_adjustment")
    product = Product.create(
        sku=command.sku,
        name=command.name,
        description=command.description,
        price_minor=command.price_minor,
        currency=command.currency,
        active=command.active,
    )
    stock = StockLevel(product.id, product.sku, available=0, reserved=0)
    if command.initial_stock:
        stock.adjust(command.initial_stock, "initial stock")
    async with uow:
        await uow.products.add(product)
        await uow.stock.add(stock)
        await uow.commit()
    return ProductView(product, stock.available)


async def update_product(command: UpdateProduct, uow: CatalogUnitOfWork) -> ProductView:
    """Change name, description or the active flag (``ProductUpdated``)."""
    async with uow:
        product = await _load(uow, command.product_id)
        product.update(name=command.name, description=command.description, active=command.active)
        return await _save_and_view(uow, product)


async def change_price(command: ChangePrice, uow: CatalogUnitOfWork) -> ProductView:
    """Set a new unit price (``PriceChanged``); open quotes are not affected."""
    async with uow:
        product = await _load(uow, command.product_id)
        product.change_price(command.price_minor, command.currency)
        return await _save_and_view(uow, product)


async def adjust_stock(command: AdjustStock, uow: CatalogUnitOfWork) -> ProductView:
    """Correct the available stock (``StockAdjusted``); waits for running reservations."""
    async with uow:
        stock = await uow.stock.lock(command.product_id)
        if stock is None:
            raise _not_found(command.product_id)
        stock.adjust(command.delta, command.reason)
        await uow.stock.save(stock)
        product = await _load(uow, command.product_id)
        return await _save_and_view(uow, product)


async def get_product(product_id: uuid.UUID, uow: CatalogUnitOfWork) -> ProductView:
    """One product with its available stock, or ``NotFound``."""
    async with uow:
        view = await uow.products.view(product_id)
    if view is None:
        raise _not_found(product_id)
    return view


async def list_products(
    uow: CatalogUnitOfWork, *, after: str | None = None, limit: int = 50, active_only: bool = True
) -> ProductPage:
    """A page of products ordered by SKU (shoppers see active products only)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}", code="bad_limit")
    async with uow:
        views = await uow.products.page(after=after, limit=limit + 1, active_only=active_only)
    more = len(views) > limit
    items = tuple(views[:limit])
    return ProductPage(items, items[-1].product.sku if more else None)


async def _load(uow: CatalogUnitOfWork, product_id: uuid.UUID) -> Product:
    product = await uow.products.get(product_id)
    if product is None:
        raise _not_found(product_id)
    return product


async def _save_and_view(uow: CatalogUnitOfWork, product: Product) -> ProductView:
    await uow.products.save(product)
    await uow.commit()
    view = await uow.products.view(product.id)
    assert view is not None
    return view


def _not_found(product_id: uuid.UUID) -> NotFound:
    return NotFound(f"product {product_id} does not exist", code="product_not_found")

"""The one import surface of the catalog domain."""

from domains.catalog.handlers import (
    AdjustStock,
    ChangePrice,
    CreateProduct,
    UpdateProduct,
    adjust_stock,
    change_price,
    create_product,
    get_product,
    list_products,
    update_product,
)
from domains.catalog.http import build_router
from domains.catalog.inventory import (
    commit_stock,
    lock_stock,
    quote,
    release_stock,
    reserve_quoted,
    reserve_stock,
    restock_cancelled_order,
)
from domains.catalog.model import Product
from domains.catalog.pricing import Price, QuotedLine
from domains.catalog.repository import ProductView, prices_of
from domains.catalog.stock import OutOfStock
from domains.catalog.tables import metadata
from domains.catalog.unit_of_work import CatalogUnitOfWork

__all__ = [
    "AdjustStock",
    "CatalogUnitOfWork",
    "ChangePrice",
    "CreateProduct",
    "OutOfStock",
    "Price",
    "Product",
    "ProductView",
    "QuotedLine",
    "UpdateProduct",
    "adjust_stock",
    "build_router",
    "change_price",
    "commit_stock",
    "create_product",
    "get_product",
    "list_products",
    "lock_stock",
    "metadata",
    "prices_of",
    "quote",
    "release_stock",
    "reserve_quoted",
    "reserve_stock",
    "restock_cancelled_order",
    "update_product",
]

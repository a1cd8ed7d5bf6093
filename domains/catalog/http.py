"""HTTP routes of the catalog (mounted by the composition root).

Browsing is public; changes need the ``admin`` dependency the composition root passes in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from domains.catalog import handlers
from domains.catalog.model import MAX_DESCRIPTION, MAX_NAME, MAX_PRICE_MINOR, SKU_PATTERN
from domains.catalog.repository import ProductView
from domains.catalog.stock import MAX_ADJUSTMENT, MAX_REASON
from domains.catalog.unit_of_work import CatalogUnitOfWork
from domains.shared.fields import JSON_NUMBER, NOT_BLANK, Currency, StrictBool, StrictInt
from domains.shared.problems import problem_responses

Sku = Annotated[str, Field(pattern=SKU_PATTERN, examples=["MUG-BLUE-350"])]
# The document shows the domain's rules (a name is not only white space, a change is not 0)
# so that no request valid by it is refused; the domain checks them, with its own codes.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME, json_schema_extra=NOT_BLANK)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION)]
PriceMinor = Annotated[int, Field(ge=0, le=MAX_PRICE_MINOR, description="Minor units"), JSON_NUMBER]

UPDATE_ERRORS = problem_responses(
    {
        403: ["role_required"],
        404: ["product_not_found"],
        409: ["concurrent_update"],
        422: ["bad_name"],
    }
)


class CreateProductIn(BaseModel):
    """Body of ``POST /v1/products``."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    name: Name
    description: Description = ""
    price_minor: PriceMinor
    currency: Currency
    active: StrictBool = True
    initial_stock: StrictInt = Field(default=0, ge=0, le=MAX_ADJUSTMENT)


class UpdateProductIn(BaseModel):
    """Body of ``PATCH /v1/products/{id}``: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    active: StrictBool | None = None


class PriceIn(BaseModel):
    """Body of ``PUT /v1/admin/products/{id}/price``."""

    model_config = ConfigDict(extra="forbid")

    price_minor: PriceMinor
    currency: Currency


class StockAdjustmentIn(BaseModel):
    """Body of ``POST /v1/admin/products/{id}/stock``: a signed change with a reason."""

    model_config = ConfigDict(extra="forbid")

    delta: StrictInt = Field(
        ge=-MAX_ADJUSTMENT,
        le=MAX_ADJUSTMENT,
        description="Non-zero change",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: str = Field(
        min_length=1,
        max_length=MAX_REASON,
        examples=["delivery 2026-11-26"],
        json_schema_extra=NOT_BLANK,
    )


class ProductOut(BaseModel):
    """A product with its sellable stock."""

    product_id: uuid.UUID
    sku: str
    name: str
    description: str
    price_minor: int
    currency: str
    active: bool
    available: int
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ProductView) -> ProductOut:
        """The view of one product."""
        p = view.product
        return cls(
            product_id=p.id,
            sku=p.sku,
            name=p.name,
            description=p.description,
            price_minor=p.price_minor,
            currency=p.currency,
            active=p.active,
            available=view.available,
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class ProductPageOut(BaseModel):
    """One page of products; pass ``next_after`` as ``after`` for the next one."""

    items: list[ProductOut]
    next_after: str | None


def build_router(uow: Callable[[], CatalogUnitOfWork], *, admin: Callable[..., Any]) -> APIRouter:
    """The catalog routes; ``admin`` is a dependency that refuses non-admins (401/403)."""
    router = APIRouter(tags=["catalog"])
    _browse_routes(router, uow)
    _admin_routes(router, uow, [Depends(admin)])
    return router


def _browse_routes(router: APIRouter, uow: Callable[[], CatalogUnitOfWork]) -> None:
    @router.get("/v1/products", response_model=ProductPageOut)
    async def list_products(
        after: Annotated[str | None, Query(max_length=64, description="SKU cursor")] = None,
        limit: Annotated[int, Query(ge=1, le=handlers.MAX_PAGE)] = 50,
    ) -> ProductPageOut:
        """Active products ordered by SKU, one page at a time."""
        page = await handlers.list_products(uow(), after=after, limit=limit)
        return ProductPageOut(
            items=[ProductOut.of(v) for v in page.items], next_after=page.next_after
        )

    @router.get(
        "/v1/products/{product_id}",
        response_model=ProductOut,
        responses=problem_responses({404: ["product_not_found"]}),
    )
    async def read_product(product_id: uuid.UUID) -> ProductOut:
        """One product with its price and available stock."""
        return ProductOut.of(await handlers.get_product(product_id, uow()))


def _admin_routes(
    router: APIRouter, uow: Callable[[], CatalogUnitOfWork], guard: list[Any]
) -> None:
    @router.post(
        "/v1/products",
        status_code=status.HTTP_201_CREATED,
        response_model=ProductOut,
        dependencies=guard,
        responses=problem_responses(
            {403: ["role_required"], 409: ["sku_taken"], 422: ["unknown_currency", "bad_name"]}
        ),
    )
    async def post_product(body: CreateProductIn, response: Response) -> ProductOut:
        """Add a product (admin); ``ProductCreated`` (and ``StockAdjusted``) follow."""
        view = await handlers.create_product(handlers.CreateProduct(**body.model_dump()), uow())
        response.headers["Location"] = f"/v1/products/{view.product.id}"
        return ProductOut.of(view)

    @router.patch(
        "/v1/products/{product_id}",
        response_model=ProductOut,
        dependencies=guard,
        responses=UPDATE_ERRORS,
    )
    async def patch_product(product_id: uuid.UUID, body: UpdateProductIn) -> ProductOut:
        """Change name, description or the active flag (admin)."""
        command = handlers.UpdateProduct(product_id, **body.model_dump(exclude_unset=True))
        return ProductOut.of(await handlers.update_product(command, uow()))

    @router.put(
        "/v1/admin/products/{product_id}/price",
        response_model=ProductOut,
        dependencies=guard,
        responses=problem_responses(
            {
                403: ["role_required"],
                404: ["product_not_found"],
                409: ["concurrent_update"],
                422: ["unknown_currency"],
            }
        ),
    )
    async def put_price(product_id: uuid.UUID, body: PriceIn) -> ProductOut:
        """Set the unit price (admin); ``PriceChanged`` follows."""
        command = handlers.ChangePrice(product_id, body.price_minor, body.currency)
        return ProductOut.of(await handlers.change_price(command, uow()))

    @router.post(
        "/v1/admin/products/{product_id}/stock",
        response_model=ProductOut,
        dependencies=guard,
        responses=problem_responses(
            {
                403: ["role_required"],
                404: ["product_not_found"],
                409: ["stock_below_zero", "concurrent_update"],
                422: ["bad_adjustment", "bad_reason"],
            }
        ),
    )
    async def post_stock_adjustment(product_id: uuid.UUID, body: StockAdjustmentIn) -> ProductOut:
        """Add or remove stock with a reason (admin); ``StockAdjusted`` follows."""
        command = handlers.AdjustStock(product_id, body.delta, body.reason)
        return ProductOut.of(await handlers.adjust_stock(command, uow()))

"""``GET /v1/products/{sku}/recommendations``: bought together, or a marked fallback."""

# No "from __future__ import annotations": FastAPI must see the local dependency objects.
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from consumers.recommendations.reading import Answer, Reason, RecommendationReader

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # the catalog's


class SuggestionOut(BaseModel):
    """A product to suggest."""

    sku: str
    orders: int = Field(
        description="Orders that had both products (model), or this product (best sellers)"
    )


class RecommendationsOut(BaseModel):
    """Suggestions for a product. ``source`` says whether the model answered; when it did
    not, ``reason`` says why and ``fallback`` what answered instead."""

    sku: str
    source: Literal["model", "fallback"]
    reason: Reason | None = Field(
        description="model_unavailable (cannot be read in time), model_stale (the model is "
        "behind the orders by more than the allowed staleness), not_enough_data (no order "
        "had this product with another); null for the model"
    )
    fallback: Literal["best_sellers", "none"] | None = Field(
        description="What answered instead of the model: best_sellers, or none (an empty list)"
    )
    behind_seconds: float | None = Field(
        description="How long the oldest order event not yet in the model has waited; null "
        "when not measured recently"
    )
    items: list[SuggestionOut]

    @classmethod
    def of(cls, answer: Answer) -> "RecommendationsOut":
        """The body of ``answer``."""
        return cls(
            sku=answer.sku,
            source=answer.source,
            reason=answer.reason,
            fallback=answer.fallback,
            behind_seconds=answer.behind_seconds,
            items=[SuggestionOut(sku=s.sku, orders=s.orders) for s in answer.items],
        )


def build_router(reader: RecommendationReader) -> APIRouter:
    """The recommendations route (public, like the catalog)."""
    router = APIRouter(tags=["recommendations"])

    @router.get(
        "/v1/products/{sku}/recommendations",
        response_model=RecommendationsOut,
        responses={422: {"description": "A malformed SKU or limit (problem+json)"}},
    )
    async def recommendations(
        sku: Annotated[str, Path(pattern=SKU_PATTERN, examples=["MUG-BLUE-350"])],
        limit: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> RecommendationsOut:
        """Products bought together with ``sku`` in confirmed orders (cancelled and refunded
        ones taken back), most often first. Never an error when the model cannot answer: a
        fallback (best sellers, or nothing), marked as such."""
        return RecommendationsOut.of(await reader.recommend(sku, limit))

    return router

"""``/v1/admin/analytics``: the figures as JSON, and as CSV tables (admins only)."""

# No "from __future__ import annotations": FastAPI must see the local dependency objects.
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.analytics.figures import Period
from consumers.analytics.report import analytics_document, daily_csv, products_csv
from domains.shared import InvalidInput
from domains.shared.fields import Day
from domains.shared.problems import problem_responses

AdminDependency = Callable[..., Awaitable[Any]]
MAX_DAYS = 366
DEFAULT_DAYS = 30
MAX_TOP = 1000

START = Query(description="First UTC day (default: 30 days before end)")
END = Query(description="The UTC day after the last one (default: tomorrow, so today counts)")


class CurrencyFigures(BaseModel):
    """What happened in one currency: orders by how they ended, sales and money moved."""

    currency: str
    orders_placed: int
    orders_confirmed: int
    orders_cancelled: int
    orders_refunded: int
    sales_minor: int = Field(description="Totals of the confirmed orders placed in the period")
    average_basket_minor: int | None
    authorized_minor: int = Field(description="Payments authorized in the period")
    refunded_minor: int = Field(description="Money given back in the period")
    net_revenue_minor: int


class DayFigures(BaseModel):
    """One UTC day in one currency, by the day orders were placed."""

    day: date
    currency: str
    orders_placed: int
    orders_confirmed: int
    orders_cancelled: int
    orders_refunded: int
    sales_minor: int
    average_basket_minor: int | None


class Rates(BaseModel):
    """Shares between 0 and 1 (4 decimals); null when there was nothing to divide by."""

    cancellation_rate: float | None = Field(description="Cancelled / placed orders")
    refund_rate: float | None = Field(description="Refunded / confirmed orders")
    payment_decline_rate: float | None = Field(description="Declined / decided payments")


class ProductFigures(BaseModel):
    """A product sold in confirmed orders that were neither cancelled nor refunded."""

    sku: str
    name: str | None
    currency: str
    units: int
    orders: int
    sales_minor: int


class PeriodOut(BaseModel):
    """``[start, end)`` in UTC days."""

    start: date
    end: date


class AnalyticsOut(BaseModel):
    """Every figure of a period, computed from the analytics facts."""

    period: PeriodOut
    daily: list[DayFigures]
    currencies: list[CurrencyFigures]
    rates: Rates
    top_products: list[ProductFigures]


def build_router(
    sessions: async_sessionmaker[AsyncSession],
    admin: AdminDependency,
    slot: Callable[[], AsyncIterator[None]] | None = None,
) -> APIRouter:
    """The analytics routes; ``admin`` is the app's admin-role dependency, ``slot`` (after
    it: who may not see the figures learns nothing) the bulkhead that bounds reports."""
    guards = [Depends(admin), *([Depends(slot)] if slot else [])]
    router = APIRouter(prefix="/v1/admin/analytics", tags=["analytics"], dependencies=guards)
    errors = _errors()

    @router.get("", response_model=AnalyticsOut, responses=errors)
    async def analytics(
        start: Annotated[Day | None, START] = None,
        end: Annotated[Day | None, END] = None,
        top: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        """Daily orders, figures by currency, rates and top products of a period."""
        async with sessions() as session:
            return await analytics_document(session, _period(start, end), top=top)

    @router.get("/daily.csv", response_class=Response, responses=_csv(errors, "day and currency"))
    async def daily(
        start: Annotated[Day | None, START] = None, end: Annotated[Day | None, END] = None
    ) -> Response:
        """The daily figures as CSV."""
        async with sessions() as session:
            return _csv_response(await daily_csv(session, _period(start, end)), "daily")

    @router.get("/products.csv", response_class=Response, responses=_csv(errors, "product"))
    async def products(
        start: Annotated[Day | None, START] = None,
        end: Annotated[Day | None, END] = None,
        top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 100,
    ) -> Response:
        """The top products as CSV, most units first."""
        async with sessions() as session:
            body = await products_csv(session, _period(start, end), top=top)
        return _csv_response(body, "products")

    return router


def _period(start: date | None, end: date | None) -> Period:
    end = end or Period.last(1).end
    if start is None and end.toordinal() <= DEFAULT_DAYS:  # no default start before year 1
        raise InvalidInput(
            f"give start: {end} has no {DEFAULT_DAYS} days before it", code="invalid_period"
        )
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise InvalidInput(f"start ({start}) must be before end ({end})", code="invalid_period")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(
            f"a period spans at most {MAX_DAYS} days; ask for several", code="period_too_long"
        )
    return Period(start, end)


def _csv_response(body: str, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="analytics-{name}.csv"'},
    )


def _errors() -> dict[int | str, dict[str, Any]]:
    return problem_responses(
        {
            403: ["role_required"],
            422: ["invalid_period", "period_too_long"],
            503: ["bulkhead_full"],  # the composition root lets only so many run at once
        }
    )


def _csv(errors: dict[int | str, dict[str, Any]], line: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"text/csv": {}}, "description": f"One CSV line per {line}"}, **errors}

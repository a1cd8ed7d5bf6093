"""The analytics document (JSON) and its CSV tables, for one period."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from consumers.analytics import figures
from consumers.analytics.figures import Period

DAILY_COLUMNS = ("day", "currency", "orders_placed", "orders_confirmed", "orders_cancelled",
                 "orders_refunded", "sales_minor", "average_basket_minor")  # fmt: skip
PRODUCT_COLUMNS = ("sku", "name", "currency", "units", "orders", "sales_minor")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula


async def analytics_document(
    session: AsyncSession, period: Period, *, top: int = 10
) -> dict[str, Any]:
    """Every figure of ``period``: days, currencies, rates and the ``top`` products."""
    return {
        "period": {"start": period.start, "end": period.end},
        "daily": await figures.daily(session, period),
        "currencies": await figures.by_currency(session, period),
        "rates": await figures.rates(session, period),
        "top_products": await figures.top_products(session, period, limit=top),
    }


async def daily_csv(session: AsyncSession, period: Period) -> str:
    """The daily figures as CSV, one line per day and currency."""
    return to_csv(DAILY_COLUMNS, await figures.daily(session, period))


async def products_csv(session: AsyncSession, period: Period, *, top: int) -> str:
    """The ``top`` products as CSV."""
    return to_csv(PRODUCT_COLUMNS, await figures.top_products(session, period, limit=top))


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """``rows`` as CSV with a header line; dates in ISO form, missing values empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value  # a product name is not a formula to the spreadsheet that opens it
    return "" if value is None else value

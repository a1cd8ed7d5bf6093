"""The figures, computed from the facts when asked: daily orders, money by currency, rates,
top products. All days are UTC days; a period is ``[start, end)`` by the order's ``placed_at``
(money: by when it was authorized or refunded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from consumers.analytics.tables import order_lines, orders, payments, products, refunds

_DAY = cast(func.timezone("UTC", orders.c.placed_at), Date)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC days."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, *, today: date | None = None) -> Period:
        """The ``days`` UTC days up to and including ``today`` (default: today)."""
        end = (today or datetime.now(UTC).date()) + timedelta(days=1)
        return cls(end - timedelta(days=days), end)

    @property
    def since(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end, time(), UTC)


def _placed_in(period: Period) -> ColumnElement[bool]:
    return and_(orders.c.placed_at >= period.since, orders.c.placed_at < period.until)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count().filter(condition)


def _order_counts() -> list[ColumnElement[Any]]:
    confirmed = orders.c.confirmed_at.is_not(None)
    return [
        func.count().label("orders_placed"),
        _count_if(confirmed).label("orders_confirmed"),
        _count_if(orders.c.cancelled_at.is_not(None)).label("orders_cancelled"),
        _count_if(orders.c.refunded_at.is_not(None)).label("orders_refunded"),
        func.coalesce(func.sum(orders.c.total_minor).filter(confirmed), 0).label("sales_minor"),
        func.round(func.avg(orders.c.total_minor).filter(confirmed)).label("average_basket_minor"),
    ]


async def daily(session: AsyncSession, period: Period) -> list[dict[str, Any]]:
    """Per UTC day and currency: orders placed, confirmed, cancelled, refunded; sales (the
    totals of the confirmed ones) and their average basket. Oldest day first."""
    statement = (
        select(_DAY.label("day"), orders.c.currency, *_order_counts())
        .where(_placed_in(period))
        .group_by(_DAY, orders.c.currency)
        .order_by(_DAY, orders.c.currency)
    )
    return [_plain(row) for row in (await session.execute(statement)).mappings()]


async def by_currency(session: AsyncSession, period: Period) -> list[dict[str, Any]]:
    """Per currency: the order counts and sales of the period, the money authorized and
    refunded in it and what is left (net revenue)."""
    placed = (
        select(orders.c.currency, *_order_counts())
        .where(_placed_in(period))
        .group_by(orders.c.currency)
    )
    authorized = await _sums(session, payments.c.authorized_at, payments, period)
    refunded = await _sums(session, refunds.c.refunded_at, refunds, period)
    rows = {r["currency"]: _plain(r) for r in (await session.execute(placed)).mappings()}
    for currency in sorted(set(rows) | set(authorized) | set(refunded)):
        row = rows.setdefault(currency, _empty_counts(currency))
        row["authorized_minor"] = authorized.get(currency, 0)
        row["refunded_minor"] = refunded.get(currency, 0)
        row["net_revenue_minor"] = row["authorized_minor"] - row["refunded_minor"]
    return [rows[c] for c in sorted(rows)]


async def rates(session: AsyncSession, period: Period) -> dict[str, float | None]:
    """Cancelled / placed and refunded / confirmed orders of the period; declined / decided
    payments. ``None`` when nothing was there to divide by."""
    counts = (
        await session.execute(select(*_order_counts()).where(_placed_in(period)))
    ).mappings().one()  # fmt: skip
    when = func.coalesce(payments.c.authorized_at, payments.c.declined_at)
    decided = (
        await session.execute(
            select(
                func.count().label("payments"),
                _count_if(payments.c.declined_at.is_not(None)).label("declined"),
            ).where(when >= period.since, when < period.until)
        )
    ).mappings().one()  # fmt: skip
    return {
        "cancellation_rate": _ratio(counts["orders_cancelled"], counts["orders_placed"]),
        "refund_rate": _ratio(counts["orders_refunded"], counts["orders_confirmed"]),
        "payment_decline_rate": _ratio(decided["declined"], decided["payments"]),
    }


async def top_products(
    session: AsyncSession, period: Period, *, limit: int = 10, exclude: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The products sold most (units) in orders of the period that were confirmed and
    neither cancelled nor refunded; ties by SKU."""
    name = (
        select(products.c.name)
        .where(products.c.sku == order_lines.c.sku)
        .order_by(products.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    units = func.sum(order_lines.c.quantity)
    statement = (
        select(
            order_lines.c.sku,
            name.label("name"),
            units.label("units"),
            func.count(func.distinct(order_lines.c.order_id)).label("orders"),
            orders.c.currency,
            func.sum(order_lines.c.quantity * order_lines.c.unit_price_minor).label("sales_minor"),
        )
        .join(orders, orders.c.id == order_lines.c.order_id)
        .where(_sold(period), order_lines.c.sku.not_in(exclude) if exclude else literal(True))
        .group_by(order_lines.c.sku, orders.c.currency)
        .order_by(units.desc(), order_lines.c.sku, orders.c.currency)
        .limit(limit)
    )
    return [_plain(row) for row in (await session.execute(statement)).mappings()]


async def best_sellers(
    session: AsyncSession, period: Period, *, limit: int, exclude: Sequence[str] = ()
) -> list[tuple[str, int]]:
    """(SKU, orders) of the products in most orders of the period that were confirmed and
    neither cancelled nor refunded, whatever the currency; ties by SKU."""
    orders_with = func.count(func.distinct(order_lines.c.order_id))
    statement = (
        select(order_lines.c.sku, orders_with)
        .join(orders, orders.c.id == order_lines.c.order_id)
        .where(_sold(period), order_lines.c.sku.not_in(exclude) if exclude else literal(True))
        .group_by(order_lines.c.sku)
        .order_by(orders_with.desc(), order_lines.c.sku)
        .limit(limit)
    )
    return [(sku, int(count)) for sku, count in (await session.execute(statement)).all()]


def _sold(period: Period) -> ColumnElement[bool]:
    """Orders of the period that were confirmed and neither cancelled nor refunded."""
    return and_(
        orders.c.confirmed_at.is_not(None),
        orders.c.cancelled_at.is_(None),
        orders.c.refunded_at.is_(None),
        _placed_in(period),
    )


async def _sums(
    session: AsyncSession, at: ColumnElement[datetime], table: Any, period: Period
) -> dict[str, int]:
    statement = (
        select(table.c.currency, func.sum(table.c.amount_minor))
        .where(at >= period.since, at < period.until)
        .group_by(table.c.currency)
    )
    return {currency: int(total) for currency, total in (await session.execute(statement)).all()}


def _empty_counts(currency: str) -> dict[str, Any]:
    return {"currency": currency, "orders_placed": 0, "orders_confirmed": 0, "orders_cancelled": 0,
            "orders_refunded": 0, "sales_minor": 0, "average_basket_minor": None}  # fmt: skip


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _plain(row: Any) -> dict[str, Any]:
    """Integers for sums and averages (PostgreSQL answers numeric)."""
    return {
        key: int(value) if key.endswith("_minor") and value is not None else value
        for key, value in row.items()
    }


__all__ = ["Period", "best_sellers", "by_currency", "daily", "rates", "top_products"]

"""Load and store stock levels and reservations (the persistence side of ``stock.py``).

Stock rows change by conditional or row-locked UPDATEs, so concurrent reservations and admin
adjustments serialize on the row: no oversell, no lost update.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, TextClause, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.pricing import Price
from domains.catalog.stock import Items, OutOfStock, Reservation, ReservationStatus, StockLevel
from domains.catalog.tables import products, reservation_items, reservations, stock_levels
from domains.shared import Aggregate, InvalidInput, NotFound

# A reservation in one round trip: claim its id, lock the stock rows of its items in SKU
# order (concurrent reservations never deadlock), take each item from available stock only
# when ``available >= quantity`` and the product is active (never oversold; a row changed
# meanwhile is re-checked at its newest version), and insert the items. The locking CTE is
# MATERIALIZED so that every row is locked there, in its ORDER BY, before any is updated.
# ``held`` is 0 for a reservation made final at once (committed: sold, not held).
_RESERVING = """
    WITH claim AS (
        INSERT INTO catalog.reservations (id, status, version, created_at, updated_at)
        VALUES (:id, :status, :version, :now, :now)
        ON CONFLICT DO NOTHING
        RETURNING id
    ), wanted AS (
        SELECT item.sku, item.quantity
        FROM unnest(CAST(:skus AS text[]), CAST(:quantities AS integer[]))
             AS item (sku, quantity)
    ), locked AS MATERIALIZED (
        SELECT s.product_id, w.quantity
        FROM catalog.stock_levels AS s
        JOIN wanted AS w ON w.sku = s.sku
        JOIN catalog.products AS p ON p.id = s.product_id
        WHERE p.active AND EXISTS (SELECT FROM claim)
        ORDER BY s.sku
        FOR UPDATE OF s
    ), taken AS (
        UPDATE catalog.stock_levels AS s
        SET available = s.available - l.quantity,
            reserved = s.reserved + l.quantity * :held,
            version = s.version + 1
        FROM locked AS l
        WHERE s.product_id = l.product_id AND s.available >= l.quantity
        RETURNING s.sku
    ), items AS (
        INSERT INTO catalog.reservation_items (reservation_id, sku, quantity)
        SELECT claim.id, w.sku, w.quantity FROM claim, wanted AS w
    )
    SELECT EXISTS (SELECT FROM claim) AS claimed, ARRAY(SELECT sku FROM taken) AS taken
"""
_RESERVE = text(_RESERVING)
# The same, with the price of every known SKU among the items (what ``prices_of`` reads), read
# in the statement's snapshot: checkout's quote and reservation in one round trip.
_RESERVE_QUOTING = text(
    _RESERVING  # noqa: S608  (two constant strings, no input)
    + """,
        (SELECT json_agg(json_build_array(p.sku, p.price_minor, p.currency, p.active))
         FROM catalog.products AS p JOIN wanted AS w ON w.sku = p.sku) AS prices
"""
)


# Settling a held reservation in one round trip: move it on (only while it is still
# ``reserved``: any other state is left to the domain's rules, see ``settle_held``), then move
# its items' quantities out of ``reserved`` — and back into ``available`` when released — on
# stock rows locked in SKU order, the order every reservation locks them in.
_SETTLE_HELD = text("""
    WITH moved AS (
        UPDATE catalog.reservations
        SET status = :to, version = version + 1, updated_at = :now
        WHERE id = :id AND status = :held
        RETURNING id, version
    ), items AS MATERIALIZED (
        SELECT i.sku, i.quantity
        FROM catalog.reservation_items AS i JOIN moved ON moved.id = i.reservation_id
    ), locked AS MATERIALIZED (
        SELECT s.product_id, items.quantity
        FROM catalog.stock_levels AS s JOIN items ON items.sku = s.sku
        ORDER BY s.sku
        FOR UPDATE OF s
    ), stock AS (
        UPDATE catalog.stock_levels AS s
        SET available = s.available + l.quantity * :available,
            reserved = s.reserved - l.quantity,
            version = s.version + 1
        FROM locked AS l
        WHERE s.product_id = l.product_id
    )
    SELECT moved.version, items.sku, items.quantity
    FROM moved, items
    ORDER BY items.sku
""")


class StockRepository:
    """Stock levels; loading locks the row so admin adjustments and reservations serialize."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track

    async def add(self, stock: StockLevel) -> None:
        """Insert the (empty) stock level of a new product."""
        await self._session.execute(insert(stock_levels).values(_stock_row(stock)))
        self._track(stock)

    async def lock(self, product_id: uuid.UUID) -> StockLevel | None:
        """The stock of ``product_id``, locked until the transaction ends; None if unknown."""
        query = (
            select(stock_levels).where(stock_levels.c.product_id == product_id).with_for_update()
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        stock = StockLevel(row.product_id, row.sku, row.available, row.reserved, row.version)
        self._track(stock)
        return stock

    async def save(self, stock: StockLevel) -> None:
        """Write a locked, changed stock level."""
        await self._session.execute(
            update(stock_levels)
            .where(stock_levels.c.product_id == stock.product_id)
            .values(available=stock.available, reserved=stock.reserved, version=stock.version)
        )

    async def move(self, items: Items, *, available: int, reserved: int) -> None:
        """Add ``available`` and ``reserved`` times each item's quantity to its stock level."""
        for sku, quantity in items:
            await self._session.execute(
                update(stock_levels)
                .where(stock_levels.c.sku == sku)
                .values(
                    available=stock_levels.c.available + available * quantity,
                    reserved=stock_levels.c.reserved + reserved * quantity,
                    version=stock_levels.c.version + 1,
                )
            )

    async def explain_refusal(self, sku: str, quantity: int) -> None:
        """Raise why ``quantity`` of ``sku`` could not be taken: unknown, inactive or too few."""
        query = select(products.c.active, stock_levels.c.available).join(
            stock_levels, stock_levels.c.product_id == products.c.id
        )
        row = (await self._session.execute(query.where(products.c.sku == sku))).first()
        if row is None:
            raise NotFound(f"there is no product with SKU {sku!r}", code="unknown_sku")
        if not row.active:
            raise InvalidInput(f"{sku} is not sold at the moment", code="sku_inactive")
        raise OutOfStock(sku, quantity, row.available)


def _stock_row(stock: StockLevel) -> dict[str, object]:
    return {
        "product_id": stock.product_id,
        "sku": stock.sku,
        "available": stock.available,
        "reserved": stock.reserved,
        "version": stock.version,
    }


class ReservationRepository:
    """Reservations with their items; ``track`` hands each one to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track

    async def reserve_quoting(
        self, reservation: Reservation
    ) -> tuple[frozenset[str], dict[str, Price]] | None:
        """:meth:`reserve`, also reading the current price of each of its SKUs (unknown SKUs
        have none): one statement. None when the id was taken and nothing was written."""
        row = await self._reserve(_RESERVE_QUOTING, reservation)
        if not row.claimed:
            return None
        self._track(reservation)
        known = row.prices or []  # json: decoded by the driver; NULL when no SKU is known
        prices = {sku: Price(price, currency, active) for sku, price, currency, active in known}
        return frozenset(row.taken), prices

    async def reserve(self, reservation: Reservation) -> frozenset[str] | None:
        """Claim the reservation's id and take its items from available stock: one statement.

        Returns the SKUs taken (fewer than the items when some could not be: the caller
        refuses and rolls back), or None when the id was taken and nothing was written. A
        concurrent claim of the same id waits on the primary key until the first one ends.
        """
        row = await self._reserve(_RESERVE, reservation)
        if not row.claimed:
            return None
        self._track(reservation)
        return frozenset(row.taken)

    async def _reserve(self, statement: TextClause, reservation: Reservation) -> Row[Any]:
        now = datetime.now(UTC)
        parameters = {
            "id": reservation.id,
            "status": reservation.status.value,
            "version": reservation.version,
            "now": now,
            "skus": [sku for sku, _ in reservation.items],
            "quantities": [quantity for _, quantity in reservation.items],
            "held": int(reservation.status is ReservationStatus.RESERVED),
        }
        return (await self._session.execute(statement, parameters)).one()

    async def settle_held(
        self,
        reservation_id: uuid.UUID,
        step: Callable[[Reservation], bool],
        *,
        to: ReservationStatus,
        available: int,
    ) -> Reservation | None:
        """Take ``step`` (moving a held reservation ``to``) in one statement, with its stock:
        each item leaves ``reserved`` and, ``available`` times its quantity, returns to
        ``available``. None (nothing written) when the reservation is not held: the caller
        locks it and lets the rules decide (a repeat, a conflict, an unknown id).

        The domain model takes the same step on what the statement read, so the recorded event
        is the one :meth:`lock`, ``step`` and :meth:`save` would have produced.
        """
        held = ReservationStatus.RESERVED
        rows = (
            await self._session.execute(
                _SETTLE_HELD,
                {
                    "id": reservation_id,
                    "to": to.value,
                    "held": held.value,
                    "now": datetime.now(UTC),
                    "available": available,
                },
            )
        ).all()
        if not rows:
            return None
        items = tuple((row.sku, row.quantity) for row in rows)
        reservation = Reservation(reservation_id, items, held, rows[0].version - 1)
        if not step(reservation) or reservation.status is not to:
            raise AssertionError(f"{step} does not move a held reservation to {to}")
        self._track(reservation)
        return reservation

    async def lock(self, reservation_id: uuid.UUID) -> Reservation:
        """The reservation with its items, its row locked ``FOR UPDATE`` (one round trip).

        ``NotFound(reservation_not_found)`` when there is no such reservation.
        """
        query = (
            select(reservations, reservation_items.c.sku, reservation_items.c.quantity)
            .join(reservation_items, reservation_items.c.reservation_id == reservations.c.id)
            .where(reservations.c.id == reservation_id)
            .order_by(reservation_items.c.sku)
            .with_for_update(of=reservations)
        )
        rows = (await self._session.execute(query)).all()
        if not rows:
            raise NotFound(
                f"reservation {reservation_id} does not exist", code="reservation_not_found"
            )
        row = rows[0]
        items = tuple((r.sku, r.quantity) for r in rows)
        reservation = Reservation(row.id, items, ReservationStatus(row.status), row.version)
        self._track(reservation)
        return reservation

    async def save(self, reservation: Reservation) -> None:
        """Write the status of a locked reservation."""
        await self._session.execute(
            update(reservations)
            .where(reservations.c.id == reservation.id)
            .values(
                status=reservation.status.value,
                version=reservation.version,
                updated_at=datetime.now(UTC),
            )
        )

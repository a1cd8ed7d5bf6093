"""Quotes and stock reservations, run in the CALLER's transaction (checkout's session).

Nothing here commits: the caller's unit of work commits the stock change, the reservation
rows and their outbox events together with its own state, or rolls all of it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.pricing import Quote, price_items
from domains.catalog.publishing import publish
from domains.catalog.repository import prices_of
from domains.catalog.stock import Items, Reservation, ReservationStatus, merge_items
from domains.catalog.tables import products, reservation_items, reservations, stock_levels
from domains.shared import Conflict, InvalidInput, NotFound


class OutOfStock(Conflict):
    """Not enough sellable stock of ``sku`` (code ``out_of_stock``)."""

    code = "out_of_stock"

    def __init__(self, sku: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}: {requested} requested, {available} available")
        self.sku = sku


async def quote(session: AsyncSession, items: Sequence[tuple[str, int]], currency: str) -> Quote:
    """Current unit prices for (sku, quantity) pairs in ``currency``, one line per pair."""
    prices = await prices_of(session, [sku for sku, _ in items])
    return price_items(items, currency, prices)


async def reserve_stock(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    items: Sequence[tuple[str, int]],
    *,
    savepoint: bool = True,
) -> None:
    """Take every item from available stock, or nothing (``OutOfStock`` names the SKU).

    Each SKU is decremented by a conditional UPDATE (``available >= quantity``), in SKU order,
    so concurrent reservations serialize on the stock row and never oversell or deadlock. A
    savepoint undoes a partial reservation, leaving the caller's transaction usable.

    ``savepoint=False`` skips the savepoint (two round trips) for a caller that rolls its whole
    transaction back whenever this raises, so a partial reservation can never be committed.
    """
    reservation = Reservation.reserve(reservation_id, merge_items(items))
    scope: AbstractAsyncContextManager[object] = (
        session.begin_nested() if savepoint else nullcontext()
    )
    async with scope:
        if not await _claim(session, reservation):
            raise Conflict(f"reservation {reservation_id} exists", code="reservation_exists")
        for sku, quantity in reservation.items:
            await _take(session, sku, quantity)
        await session.execute(
            insert(reservation_items),
            [
                {"reservation_id": reservation_id, "sku": s, "quantity": q}
                for s, q in reservation.items
            ],
        )
        await publish(session, reservation)


async def release_stock(session: AsyncSession, reservation_id: uuid.UUID) -> None:
    """Give a reservation's stock back (``InventoryReleased``); a second call does nothing."""
    reservation = await _lock(session, reservation_id)
    if reservation.release():
        await _move_stock(session, reservation.items, available=+1, reserved=-1)
        await _save(session, reservation)


async def commit_stock(session: AsyncSession, reservation_id: uuid.UUID) -> None:
    """Make a reservation final (``InventoryCommitted``); a second call does nothing."""
    reservation = await _lock(session, reservation_id)
    if reservation.commit():
        await _move_stock(session, reservation.items, available=0, reserved=-1)
        await _save(session, reservation)


async def _take(session: AsyncSession, sku: str, quantity: int) -> None:
    taken = await session.scalar(
        update(stock_levels)
        .where(
            stock_levels.c.sku == sku,
            stock_levels.c.available >= quantity,
            stock_levels.c.product_id == products.c.id,
            products.c.active,
        )
        .values(
            available=stock_levels.c.available - quantity,
            reserved=stock_levels.c.reserved + quantity,
            version=stock_levels.c.version + 1,
        )
        .returning(stock_levels.c.product_id)
    )
    if taken is None:
        await _explain_refusal(session, sku, quantity)


async def _explain_refusal(session: AsyncSession, sku: str, quantity: int) -> None:
    query = select(products.c.active, stock_levels.c.available).join(
        stock_levels, stock_levels.c.product_id == products.c.id
    )
    row = (await session.execute(query.where(products.c.sku == sku))).first()
    if row is None:
        raise NotFound(f"there is no product with SKU {sku!r}", code="unknown_sku")
    if not row.active:
        raise InvalidInput(f"{sku} is not sold at the moment", code="sku_inactive")
    raise OutOfStock(sku, quantity, row.available)


async def _move_stock(
    session: AsyncSession, items: Items, *, available: int, reserved: int
) -> None:
    for sku, quantity in items:
        await session.execute(
            update(stock_levels)
            .where(stock_levels.c.sku == sku)
            .values(
                available=stock_levels.c.available + available * quantity,
                reserved=stock_levels.c.reserved + reserved * quantity,
                version=stock_levels.c.version + 1,
            )
        )


async def _claim(session: AsyncSession, reservation: Reservation) -> bool:
    """Insert the reservation row; False when the id is taken (one round trip, no pre-check).

    A concurrent claim of the same id waits on the primary key until the first one ends.
    """
    now = datetime.now(UTC)
    claimed = await session.scalar(
        pg_insert(reservations)
        .values(
            id=reservation.id,
            status=reservation.status.value,
            version=reservation.version,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(reservations.c.id)
    )
    return claimed is not None


async def _lock(session: AsyncSession, reservation_id: uuid.UUID) -> Reservation:
    """The reservation with its lines, its row locked ``FOR UPDATE`` (one round trip)."""
    query = (
        select(reservations, reservation_items.c.sku, reservation_items.c.quantity)
        .join(reservation_items, reservation_items.c.reservation_id == reservations.c.id)
        .where(reservations.c.id == reservation_id)
        .order_by(reservation_items.c.sku)
        .with_for_update(of=reservations)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        raise NotFound(f"reservation {reservation_id} does not exist", code="reservation_not_found")
    row = rows[0]
    items = tuple((r.sku, r.quantity) for r in rows)
    return Reservation(row.id, items, ReservationStatus(row.status), row.version)


async def _save(session: AsyncSession, reservation: Reservation) -> None:
    await session.execute(
        update(reservations)
        .where(reservations.c.id == reservation.id)
        .values(
            status=reservation.status.value,
            version=reservation.version,
            updated_at=datetime.now(UTC),
        )
    )
    await publish(session, reservation)

"""Quotes and stock reservations, run in the CALLER's transaction (checkout's session).

Nothing here commits: the caller's unit of work commits the stock change, the reservation
rows and their outbox events together with its own state, or rolls all of it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, insert, select, update
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
    session: AsyncSession, reservation_id: uuid.UUID, items: Sequence[tuple[str, int]]
) -> None:
    """Take every item from available stock, or nothing (``OutOfStock`` names the SKU).

    Each SKU is decremented by a conditional UPDATE (``available >= quantity``), in SKU order,
    so concurrent reservations serialize on the stock row and never oversell or deadlock. A
    savepoint undoes a partial reservation, leaving the caller's transaction usable.
    """
    reservation = Reservation.reserve(reservation_id, merge_items(items))
    async with session.begin_nested():
        taken = await session.scalar(select(exists().where(reservations.c.id == reservation_id)))
        if taken:
            raise Conflict(f"reservation {reservation_id} exists", code="reservation_exists")
        for sku, quantity in reservation.items:
            await _take(session, sku, quantity)
        await _insert(session, reservation)
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


async def _insert(session: AsyncSession, reservation: Reservation) -> None:
    now = datetime.now(UTC)
    await session.execute(
        insert(reservations).values(
            id=reservation.id,
            status=reservation.status.value,
            version=reservation.version,
            created_at=now,
            updated_at=now,
        )
    )
    await session.execute(
        insert(reservation_items),
        [{"reservation_id": reservation.id, "sku": s, "quantity": q} for s, q in reservation.items],
    )


async def _lock(session: AsyncSession, reservation_id: uuid.UUID) -> Reservation:
    query = select(reservations).where(reservations.c.id == reservation_id).with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"reservation {reservation_id} does not exist", code="reservation_not_found")
    lines = await session.execute(
        select(reservation_items.c.sku, reservation_items.c.quantity)
        .where(reservation_items.c.reservation_id == reservation_id)
        .order_by(reservation_items.c.sku)
    )
    items = tuple((sku, quantity) for sku, quantity in lines)
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

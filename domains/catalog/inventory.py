"""Quotes and stock reservations, run in the CALLER's transaction (checkout's, a consumer's).

Nothing here commits: each function's unit of work joins the caller's transaction, so the
stock change, the reservation rows and their outbox events commit with the caller's own state,
or roll back with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.pricing import Price, Quote, check_basket, price_items
from domains.catalog.repository import prices_of
from domains.catalog.stock import Reservation, ReservationStatus, merge_items
from domains.catalog.unit_of_work import CatalogUnitOfWork
from domains.shared import Conflict


async def quote(
    session: AsyncSession,
    items: Sequence[tuple[str, int]],
    currency: str,
    *,
    prices: Mapping[str, Price] | None = None,
) -> Quote:
    """Current unit prices for (sku, quantity) pairs in ``currency``, one line per pair.

    ``prices``: what :func:`prices_of` read for every SKU of ``items`` (a caller quoting many
    orders at once reads them once); read now when None.
    """
    if prices is None:
        prices = await prices_of(session, [sku for sku, _ in items])
    return price_items(items, currency, prices)


# FOR UPDATE locks the rows as the sort emits them, so in SKU order: the order every
# reservation takes them in (``_RESERVE``).
_LOCK_STOCK = text("""
    SELECT s.sku FROM catalog.stock_levels AS s
    WHERE s.sku = ANY(CAST(:skus AS text[]))
    ORDER BY s.sku
    FOR UPDATE
""")


async def lock_stock(session: AsyncSession, skus: Iterable[str]) -> None:
    """Lock the stock rows of ``skus`` until the transaction ends, in SKU order.

    For a transaction that makes many reservations one after the other (a consumer's batch of
    orders): each reservation alone locks its rows in SKU order, but the batch as a whole would
    hold them in the order its orders came, and two batches deadlock. Taking every row first,
    in SKU order, makes every such transaction wait in one order; the reservations that follow
    find their rows held already.
    """
    wanted = sorted(set(skus))
    if wanted:
        await session.execute(_LOCK_STOCK, {"skus": wanted})


async def reserve_stock(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    items: Sequence[tuple[str, int]],
    *,
    savepoint: bool = True,
    committed: bool = False,
) -> None:
    """Take every item from available stock, or nothing (``OutOfStock`` names the SKU).

    One statement claims the reservation and takes each SKU by a conditional UPDATE
    (``available >= quantity``) of its stock row, locked in SKU order, so concurrent
    reservations serialize on the stock row and never oversell or deadlock. A savepoint undoes
    a partial reservation, leaving the caller's transaction usable.

    ``savepoint=False`` skips the savepoint (two round trips) for a caller that rolls its whole
    transaction back whenever this raises, so a partial reservation can never be committed.

    ``committed=True``: reserve and commit at once (the order is paid already): the same
    events as :func:`reserve_stock` then :func:`commit_stock`, in the one statement.
    """
    reservation = Reservation.reserve(reservation_id, merge_items(items))
    if committed:
        reservation.commit()
    scope: AbstractAsyncContextManager[object] = (
        session.begin_nested() if savepoint else nullcontext()
    )
    async with scope, CatalogUnitOfWork.joining(session) as uow:
        taken = await uow.reservations.reserve(reservation)
        if taken is None:
            raise Conflict(f"reservation {reservation_id} exists", code="reservation_exists")
        for sku, quantity in reservation.items:
            if sku not in taken:
                await uow.stock.explain_refusal(sku, quantity)  # raises: the first SKU refused
        await uow.commit()


async def reserve_quoted(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    items: Sequence[tuple[str, int]],
    currency: str,
) -> Quote:
    """:func:`quote` and :func:`reserve_stock` (``savepoint=False``) in one statement: the
    price of every item in ``currency`` and every item taken from available stock, or an
    error as those two would raise it (the quote's first).

    No savepoint: for a caller that rolls its whole transaction back whenever this raises
    (checkout), so neither a partial reservation nor one of a refused quote is ever committed.
    """
    check_basket(items, currency)
    reservation = Reservation.reserve(reservation_id, merge_items(items))
    async with CatalogUnitOfWork.joining(session) as uow:
        reserved = await uow.reservations.reserve_quoting(reservation)
        if reserved is None:
            raise Conflict(f"reservation {reservation_id} exists", code="reservation_exists")
        taken, prices = reserved
        quoted = price_items(items, currency, prices)
        for sku, quantity in reservation.items:
            if sku not in taken:
                await uow.stock.explain_refusal(sku, quantity)  # raises: the first SKU refused
        await uow.commit()
    return quoted


async def release_stock(session: AsyncSession, reservation_id: uuid.UUID) -> None:
    """Give a reservation's stock back (``InventoryReleased``); a second call does nothing."""
    await _settle(
        session, reservation_id, Reservation.release, to=ReservationStatus.RELEASED, available=+1
    )


async def commit_stock(session: AsyncSession, reservation_id: uuid.UUID) -> None:
    """Make a reservation final (``InventoryCommitted``); a second call does nothing."""
    await _settle(
        session, reservation_id, Reservation.commit, to=ReservationStatus.COMMITTED, available=0
    )


async def _settle(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    step: Callable[[Reservation], bool],
    *,
    to: ReservationStatus,
    available: int,
) -> None:
    """Take ``step``; when it changed the reservation, its reserved stock leaves ``reserved``.

    A held reservation (every checkout's) settles in one statement; any other is locked and
    left to the rules (a repeat does nothing, a released one cannot be committed).
    """
    async with CatalogUnitOfWork.joining(session) as uow:
        settled = await uow.reservations.settle_held(
            reservation_id, step, to=to, available=available
        )
        if settled is None:
            reservation = await uow.reservations.lock(reservation_id)
            if step(reservation):
                await uow.stock.move(reservation.items, available=available, reserved=-1)
                await uow.reservations.save(reservation)
        await uow.commit()


async def restock_cancelled_order(session: AsyncSession, reservation_id: uuid.UUID) -> bool:
    """Make a cancelled order's stock sellable again, exactly once; False when already done.

    Whatever the reservation went through: one still held is released; a committed one (paid,
    cancelled before shipping) is returned. Both publish ``InventoryReleased``.
    ``NotFound(reservation_not_found)`` when there is no such reservation.
    """
    async with CatalogUnitOfWork.joining(session) as uow:
        reservation = await uow.reservations.lock(reservation_id)
        if reservation.status is ReservationStatus.RESERVED:
            reservation.release()
            await uow.stock.move(reservation.items, available=+1, reserved=-1)
        elif reservation.give_back():
            await uow.stock.move(reservation.items, available=+1, reserved=0)
        else:
            return False
        await uow.reservations.save(reservation)
        await uow.commit()
    return True

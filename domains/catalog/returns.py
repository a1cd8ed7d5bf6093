"""Giving the stock of a cancelled order back, in the CALLER's transaction.

Whatever the order's reservation went through, its stock becomes sellable again exactly once:
a reservation still held is released; a committed one (paid, cancelled before shipping) is
returned. Both publish ``InventoryReleased``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.inventory import _lock, _move_stock, _save
from domains.catalog.stock import ReservationStatus


async def restock_cancelled_order(session: AsyncSession, reservation_id: uuid.UUID) -> bool:
    """Make the reservation's stock sellable again; False when that already happened.

    ``NotFound(reservation_not_found)`` when there is no such reservation.
    """
    reservation = await _lock(session, reservation_id)
    if reservation.status is ReservationStatus.RESERVED:
        reservation.release()
        await _move_stock(session, reservation.items, available=+1, reserved=-1)
    elif reservation.give_back():
        await _move_stock(session, reservation.items, available=+1, reserved=0)
    else:
        return False
    await _save(session, reservation)
    return True

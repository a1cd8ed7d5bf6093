"""Delivery tracking's bookkeeping on the shipment rows (no version change, no event)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Interval, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.model import ShipmentStatus
from domains.fulfillment.tables import carrier_calls, shipments
from domains.fulfillment.tracking import LostParcel, TrackedShipment

_SHIPPED = ShipmentStatus.SHIPPED.value
_NEVER = datetime.min.replace(tzinfo=UTC)
s = shipments.c


class TrackingRepository:
    """Which shipped parcels to ask the carrier about, and what it answered."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(self, limit: int) -> list[TrackedShipment]:
        """Up to ``limit`` shipped parcels due to be asked about: never asked first (longest on
        their way first), then the least recently asked; each is marked asked now.

        Marking at the claim puts a parcel at the back of the queue whatever its answer turns
        out to be (or if the pass dies before it), and ``SKIP LOCKED`` lets several trackers
        take different parcels. The locks last until the caller's short transaction commits;
        no carrier call is made in it.
        """
        due = (
            select(s.id, s.last_tracked_at, s.shipped_at)
            .where(
                s.status == _SHIPPED,
                or_(s.next_track_at.is_(None), s.next_track_at <= func.now()),
            )
            .order_by(s.last_tracked_at.asc().nulls_first(), s.shipped_at, s.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        claimed = await self._session.execute(
            update(shipments)
            .where(s.id == due.c.id)
            .values(last_tracked_at=func.now())
            .returning(
                s.id,
                s.order_id,
                s.unknown_answers,
                _correlation(),
                due.c.last_tracked_at,
                due.c.shipped_at,
            )
        )
        rows = sorted(claimed.all(), key=_queue_position)
        return [TrackedShipment(r[0], r[1], r[2], r[3]) for r in rows]

    async def note_unknown(self, parcels: Sequence[tuple[uuid.UUID, int, timedelta]]) -> None:
        """Record "no such parcel" answers: (shipment id, answers in a row, wait until the
        next question) each."""
        if not parcels:
            return
        await self._session.execute(
            update(shipments)
            .where(s.id == bindparam("shipment_id"), s.status == _SHIPPED)
            .values(
                unknown_answers=bindparam("answers"),
                next_track_at=func.now() + bindparam("wait", type_=Interval),
            ),
            [{"shipment_id": i, "answers": n, "wait": wait} for i, n, wait in parcels],
        )

    async def note_known(self, shipment_ids: Sequence[uuid.UUID]) -> None:
        """The carrier knows these parcels (again): asked at every pass from now on."""
        if not shipment_ids:
            return
        await self._session.execute(
            update(shipments)
            .where(s.id.in_(shipment_ids), s.unknown_answers > 0)
            .values(unknown_answers=0, next_track_at=None)
        )

    async def unknown(self, limit: int) -> list[LostParcel]:
        """Up to ``limit`` parcels the carrier last said it does not have, the longest-lost
        (most answers in a row) first."""
        query = (
            select(
                s.id,
                s.order_id,
                s.carrier,
                s.tracking_number,
                s.shipped_at,
                s.unknown_answers,
                s.last_tracked_at,
                s.next_track_at,
            )
            .where(s.status == _SHIPPED, s.unknown_answers > 0)
            .order_by(s.unknown_answers.desc(), s.shipped_at, s.id)
            .limit(limit)
        )
        return [LostParcel(*row) for row in (await self._session.execute(query)).all()]

    async def count_unknown(self) -> int:
        """Shipped parcels whose last answer from the carrier was "no such parcel"."""
        query = select(func.count()).where(s.status == _SHIPPED, s.unknown_answers > 0)
        return int(await self._session.scalar(query) or 0)


def _correlation() -> Any:
    """The correlation id of the shipment's first carrier call (its order's conversation)."""
    return (
        select(carrier_calls.c.correlation_id)
        .where(carrier_calls.c.shipment_id == s.id)
        .order_by(carrier_calls.c.created_at)
        .limit(1)
        .scalar_subquery()
    )


def _queue_position(row: Any) -> tuple[bool, datetime, datetime, uuid.UUID]:
    """The claim's order (RETURNING keeps none)."""
    asked, shipped = row[4], row[5]
    return (asked is not None, asked or _NEVER, shipped or _NEVER, row[0])

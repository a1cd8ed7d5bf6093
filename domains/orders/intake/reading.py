"""What became of a client's submission (``GET /v1/order-submissions/{reference}``), and
what each client submitted (``orderflow intake status``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.intake.command import Outcome, SubmissionResult
from domains.orders.intake.model import who_refunds
from domains.orders.model import OrderStatus
from domains.orders.tables import orders, submissions
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import NotFound


async def get_submission(
    client_id: uuid.UUID, external_reference: str, uow: OrdersUnitOfWork
) -> SubmissionResult:
    """The stored answer with its order's status now; ``NotFound`` when this client never
    submitted that reference."""
    async with uow:
        stored = await uow.submissions.get(client_id, external_reference)
        if stored is None:
            raise NotFound(
                f"no submission with external_reference {external_reference!r} from this client",
                code="submission_not_found",
            )
        if stored.order_id is None:  # rejected: nothing happens to it afterwards
            return stored.result()
        status = await _status_of(uow.session, stored.order_id)
        refund = None
        if status == OrderStatus.CANCELLED.value:
            paid = await payments.find_external_payment(uow.session, stored.order_id)
            refund = who_refunds(paid_upstream=paid is not None)
    return replace(stored.result(), order_status=status, refund=refund)


async def _status_of(session: AsyncSession, order_id: uuid.UUID) -> str:
    query = select(orders.c.status).where(orders.c.id == order_id)
    return str((await session.execute(query)).scalar_one())


@dataclass(frozen=True)
class ClientIntake:
    """What one client submitted: accepted, rejected by reason, and when it was last heard."""

    client_id: uuid.UUID
    accepted: int
    rejected: dict[str, int]
    last_seen_at: datetime


async def intake_by_client(session: AsyncSession) -> list[ClientIntake]:
    """Every client that ever submitted, most recently heard first."""
    query = select(
        submissions.c.client_id,
        submissions.c.outcome,
        submissions.c.reason,
        func.count().label("submitted"),
        func.max(submissions.c.submitted_at).label("last"),
    ).group_by(submissions.c.client_id, submissions.c.outcome, submissions.c.reason)
    totals: dict[uuid.UUID, ClientIntake] = {}
    for row in await session.execute(query):
        known = totals.get(row.client_id) or ClientIntake(row.client_id, 0, {}, row.last)
        accepted = known.accepted + (row.submitted if row.outcome == Outcome.ACCEPTED else 0)
        rejected = dict(known.rejected)
        if row.outcome == Outcome.REJECTED:
            rejected[row.reason or "rejected"] = row.submitted
        totals[row.client_id] = ClientIntake(
            row.client_id, accepted, rejected, max(known.last_seen_at, row.last)
        )
    return sorted(totals.values(), key=lambda c: c.last_seen_at, reverse=True)

"""What became of a client's submission (``GET /v1/order-submissions/{reference}``)."""

from __future__ import annotations

import uuid

from domains.orders.intake.command import SubmissionResult
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.shared import NotFound


async def get_submission(
    client_id: uuid.UUID, external_reference: str, uow: OrdersUnitOfWork
) -> SubmissionResult:
    """The stored answer; ``NotFound`` when this client never submitted that reference."""
    async with uow:
        stored = await uow.submissions.get(client_id, external_reference)
    if stored is None:
        raise NotFound(
            f"no submission with external_reference {external_reference!r} from this client",
            code="submission_not_found",
        )
    return stored.result()

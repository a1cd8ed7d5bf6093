"""``POST /v1/orders`` with an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header).

A key belongs to one client and is kept ``KEY_TTL`` (24 hours); after that it counts as unused
and the job ``intake:key-retention`` deletes it (``key_expiry``).
The same key with the same body gets the stored answer, with another body a 422, and while the
first request still runs a 409. Independently of keys, the (client, external reference) pair
is unique (``place``): a retry with a new key is still one order.
"""

from __future__ import annotations

from datetime import timedelta

from domains.orders.intake.command import SubmissionResult, SubmitOrder
from domains.orders.intake.place import decide
from domains.orders.intake.repository import IntakeKeys
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.shared import Conflict, InvalidInput

KEY_TTL = timedelta(hours=24)


async def submit_with_key(
    command: SubmitOrder, key: str, uow: OrdersUnitOfWork, *, ttl: timedelta = KEY_TTL
) -> SubmissionResult:
    """Decide ``command`` under Idempotency-Key ``key``, in one transaction."""
    client_id = command.client.client_id
    async with uow:
        keys = IntakeKeys(uow.session, ttl)
        if not await keys.try_lock(client_id, key):
            raise Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly",
                code="request_in_progress",
            )
        bound = await keys.find(client_id, key)
        if bound is not None and bound[0] != command.request_hash:
            raise InvalidInput(
                "this Idempotency-Key was used with a different request body; use a new key",
                code="idempotency_key_reused",
            )
        result = await decide(uow, command)
        await keys.remember(client_id, key, command.request_hash, command.external_reference)
        await uow.commit()
    return result

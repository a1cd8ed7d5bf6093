"""Idempotency keys of ``POST /v1/checkout``, stored in ``orders.checkout_requests``.

A key belongs to one customer. Its first use stores the hash of the request body; every
later use with the same body gets the stored answer, a different body is refused (422), and a
use while the first is still running is refused (409). The answer is stored as an outcome,
not as HTTP: the HTTP edge renders fresh and replayed answers alike.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.tables import checkout_requests
from domains.shared import Conflict, InvalidInput

IN_PROGRESS = "in_progress"
COMPLETED = "completed"


REFUSED = "refused"


@dataclass(frozen=True)
class Refusal:
    """A domain rule refused the checkout: the error's kind, code and message."""

    kind: str
    code: str
    message: str


@dataclass(frozen=True)
class CheckoutAnswer:
    """What a checkout answered, stored for replays.

    ``outcome`` is a settlement (``confirmed``, ``declined``, ...) or ``refused``; ``order`` is
    the order document when the answer shows the order, ``refusal`` the error of a refusal.
    """

    outcome: str
    order_id: uuid.UUID | None = None
    order: dict[str, Any] | None = None
    refusal: Refusal | None = None

    def to_json(self) -> dict[str, Any]:
        """What goes into the ``answer`` column (the outcome and order id have their own)."""
        if self.refusal is not None:
            return {"refusal": vars(self.refusal)}
        return {} if self.order is None else {"order": self.order}

    @classmethod
    def of_row(cls, outcome: str, order_id: uuid.UUID | None, answer: dict[str, Any]) -> Self:
        """The answer as stored by :meth:`to_json`."""
        refusal = answer.get("refusal")
        return cls(
            outcome,
            order_id,
            answer.get("order"),
            None if refusal is None else Refusal(**refusal),
        )


def request_hash(payload: Any) -> str:
    """A stable hash of a JSON-able request: key order and whitespace do not matter."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class KeyClaim:
    """A checkout's use of an Idempotency-Key: taken with the order's first write
    (:meth:`OrderRepository.add_claiming`), in the same statement."""

    customer_id: uuid.UUID
    key: str
    request_hash: str


async def stored_answer(
    session: AsyncSession, customer_id: uuid.UUID, key: str, hash_: str
) -> CheckoutAnswer | None:
    """The stored answer for the key; None when unused. Raises for misuse of the key."""
    row = (
        await session.execute(
            select(checkout_requests).where(
                checkout_requests.c.customer_id == customer_id,
                checkout_requests.c.idempotency_key == key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != hash_:
        raise InvalidInput(
            "this Idempotency-Key was used with a different request body; use a new key",
            code="idempotency_key_reused",
        )
    if row.status == IN_PROGRESS:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly",
            code="request_in_progress",
        )
    return CheckoutAnswer.of_row(row.outcome, row.order_id, row.answer)


async def store_completed(
    session: AsyncSession, customer_id: uuid.UUID, key: str, hash_: str, answer: CheckoutAnswer
) -> bool:
    """Store a final answer for a key that never got as far as an order (a refused cart).

    False when the key was taken meanwhile or before: its own answer stands.
    """
    stored = await session.scalar(
        insert(checkout_requests)
        .values(
            customer_id=customer_id,
            idempotency_key=key,
            request_hash=hash_,
            status=COMPLETED,
            order_id=answer.order_id,
            outcome=answer.outcome,
            answer=answer.to_json(),
            completed_at=func.now(),
        )
        .on_conflict_do_nothing()
        .returning(checkout_requests.c.idempotency_key)
    )
    return stored is not None


async def complete_for_order(
    session: AsyncSession, order_id: uuid.UUID, answer: CheckoutAnswer
) -> None:
    """Store the answer of the checkout that created ``order_id`` (if still unanswered)."""
    await session.execute(
        update(checkout_requests)
        .where(checkout_requests.c.order_id == order_id, checkout_requests.c.status == IN_PROGRESS)
        .values(
            status=COMPLETED,
            outcome=answer.outcome,
            answer=answer.to_json(),
            completed_at=func.now(),
        )
    )

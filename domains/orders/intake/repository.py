"""Submissions and intake Idempotency-Keys in PostgreSQL, and the locks that serialize them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, func, insert, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.intake.command import Channel, Outcome
from domains.orders.intake.model import Submission
from domains.orders.tables import intake_keys, submissions

# Two classes of transaction lock, so a key and a reference can never share a lock id.
_REFERENCE_LOCK = "orders.submission:"
_KEY_LOCK = "orders.intake_key:"


# One statement for many locks: the function scan hands the names over in array order.
_LOCK_MANY = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(n, 0)) FROM unnest(CAST(:names AS text[])) AS n"
)


def _reference_lock(client_id: uuid.UUID, external_reference: str) -> str:
    return f"{_REFERENCE_LOCK}{client_id}:{external_reference}"


async def lock_submissions(
    session: AsyncSession, references: Iterable[tuple[uuid.UUID, str]]
) -> None:
    """Take the locks of :meth:`SubmissionRepository.lock` of many (client, reference) pairs,
    sorted: transactions taking several wait for each other in one order."""
    names = sorted({_reference_lock(client_id, ref) for client_id, ref in references})
    if names:
        await session.execute(_LOCK_MANY, {"names": names})


class SubmissionRepository:
    """Submissions by (client, external reference); new ones are inserted on commit."""

    def __init__(self, session: AsyncSession, track: Callable[[Submission], None]) -> None:
        self._session = session
        self._track = track
        self._new: list[Submission] = []

    async def lock(self, client_id: uuid.UUID, external_reference: str) -> None:
        """Wait until no other transaction works on this submission, then hold it until the
        end of ours: concurrent identical submissions run one after the other."""
        name = _reference_lock(client_id, external_reference)
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )

    async def get(self, client_id: uuid.UUID, external_reference: str) -> Submission | None:
        """The stored submission, or None."""
        query = select(submissions).where(
            submissions.c.client_id == client_id,
            submissions.c.external_reference == external_reference,
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _submission(row)

    async def of_order(self, order_id: uuid.UUID) -> Submission | None:
        """The submission that became ``order_id`` (None: the order came from checkout);
        tracked, so that what it records is published on commit."""
        query = select(submissions).where(submissions.c.order_id == order_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        submission = _submission(row)
        self._track(submission)
        return submission

    def add(self, submission: Submission) -> None:
        """Store ``submission`` and publish its reply when the unit of work commits."""
        self._new.append(submission)
        self._track(submission)

    async def save_new(self) -> None:
        """Insert the submissions added since the last save."""
        rows = [_row(s) for s in self._new]
        self._new = []
        if rows:
            await self._session.execute(insert(submissions), rows)


async def stored_submissions(
    session: AsyncSession, references: Iterable[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], Submission]:
    """The stored submissions among (client, reference) pairs, in one statement."""
    wanted = set(references)
    if not wanted:
        return {}
    key = tuple_(submissions.c.client_id, submissions.c.external_reference)
    rows = await session.execute(select(submissions).where(key.in_(wanted)))
    return {(row.client_id, row.external_reference): _submission(row) for row in rows}


def _submission(row: Row[Any]) -> Submission:
    return Submission(
        client_id=row.client_id,
        external_reference=row.external_reference,
        channel=Channel(row.channel),
        request_hash=row.request_hash,
        outcome=Outcome(row.outcome),
        decided_at=row.submitted_at,
        order_id=row.order_id,
        order=row.answer,
        priced_by=row.priced_by,
        reason=row.reason,
        kind=row.kind,
        detail=row.detail,
    )


def _row(submission: Submission) -> dict[str, object]:
    return {
        "client_id": submission.client_id,
        "external_reference": submission.external_reference,
        "channel": submission.channel.value,
        "request_hash": submission.request_hash,
        "outcome": submission.outcome.value,
        "order_id": submission.order_id,
        "answer": submission.order,
        "priced_by": submission.priced_by,
        "reason": submission.reason,
        "kind": submission.kind,
        "detail": submission.detail,
        "submitted_at": submission.decided_at,
    }


class IntakeKeys:
    """The Idempotency-Keys of ``POST /v1/orders``, per client, kept for ``ttl``."""

    def __init__(self, session: AsyncSession, ttl: timedelta) -> None:
        self._session = session
        self._ttl = ttl

    async def try_lock(self, client_id: uuid.UUID, key: str) -> bool:
        """Hold the key until our transaction ends; False when another request holds it."""
        name = f"{_KEY_LOCK}{client_id}:{key}"
        held = await self._session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
        return bool(held)

    async def find(self, client_id: uuid.UUID, key: str) -> tuple[str, str] | None:
        """(request hash, external reference) of an unexpired key, or None."""
        query = select(intake_keys.c.request_hash, intake_keys.c.external_reference).where(
            intake_keys.c.client_id == client_id,
            intake_keys.c.idempotency_key == key,
            intake_keys.c.created_at > func.now() - self._ttl,
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else (row.request_hash, row.external_reference)

    async def remember(
        self, client_id: uuid.UUID, key: str, request_hash: str, external_reference: str
    ) -> None:
        """Bind the key to this request (an expired binding is replaced)."""
        values = {
            "client_id": client_id,
            "idempotency_key": key,
            "request_hash": request_hash,
            "external_reference": external_reference,
        }
        statement = upsert(intake_keys).values(**values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[intake_keys.c.client_id, intake_keys.c.idempotency_key],
                set_={**values, "created_at": func.now()},
            )
        )

"""Load and store orders; every update checks the version it read."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.idempotency import (
    COMPLETED,
    IN_PROGRESS,
    CheckoutAnswer,
    KeyClaim,
    complete_for_order,
)
from domains.orders.lines import OrderLine
from domains.orders.model import Order, OrderStatus
from domains.orders.tables import order_lines, orders
from domains.shared import ConcurrentUpdate, VersionedRows

# Checkout's first write: take the Idempotency-Key and insert the order with its lines, in one
# round trip. The order exists only when the key was free: a taken key returns no row (and a
# concurrent use of the key waits on its primary key until the first transaction ends).
_PLACE_CLAIMING = text("""
    WITH claim AS (
        INSERT INTO orders.checkout_requests
            (customer_id, idempotency_key, request_hash, status, order_id)
        VALUES (:customer_id, :key, :request_hash, :in_progress, :id)
        ON CONFLICT DO NOTHING
        RETURNING order_id
    ), placed AS (
        INSERT INTO orders.orders
            (id, customer_id, status, currency, total_minor, version, placed_at, updated_at)
        SELECT order_id, CAST(:customer_id AS uuid), :status, :currency, :total_minor,
               :version, :placed_at, :updated_at
        FROM claim
        RETURNING id
    )
    INSERT INTO orders.order_lines (order_id, line_no, sku, quantity, unit_price_minor)
    SELECT placed.id, line.no, line.sku, line.quantity, line.unit_price_minor
    FROM placed, unnest(CAST(:skus AS text[]), CAST(:quantities AS integer[]),
                        CAST(:prices AS bigint[]))
         WITH ORDINALITY AS line (sku, quantity, unit_price_minor, no)
    RETURNING order_id
""")


# Settling a checkout's order: its version-checked update and the answer stored for its
# Idempotency-Key, in one round trip. The answer is written only when the order was.
_SAVE_ANSWERING = text("""
    WITH saved AS (
        UPDATE orders.orders
        SET status = :status, updated_at = :updated_at, version = :version
        WHERE id = :id AND version = :seen
        RETURNING id
    ), answered AS (
        UPDATE orders.checkout_requests
        SET status = :completed, outcome = :outcome, answer = :answer, completed_at = now()
        WHERE order_id IN (SELECT id FROM saved) AND status = :in_progress
    )
    SELECT count(*) AS saved FROM saved
""").bindparams(bindparam("answer", type_=JSONB))


class OrderRepository:
    """Orders in PostgreSQL; ``track`` hands every loaded or added order to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Order], None]) -> None:
        self._session = session
        self._track = track
        self._versions = VersionedRows(session, orders, "order")
        self._seen: dict[uuid.UUID, Order] = {}
        self._answers: dict[uuid.UUID, CheckoutAnswer] = {}

    async def add(self, order: Order) -> None:
        """Insert a new order and its lines."""
        await self._session.execute(
            insert(orders).values(
                id=order.id,
                customer_id=order.customer_id,
                status=order.status.value,
                currency=order.currency,
                total_minor=order.total_minor,
                version=order.version,
                placed_at=order.placed_at,
                updated_at=order.updated_at or order.placed_at,
            )
        )
        await self._session.execute(
            insert(order_lines),
            [
                {"order_id": order.id, "line_no": no, **vars(line)}
                for no, line in enumerate(order.lines, start=1)
            ],
        )
        self.attach(order)

    async def add_claiming(self, order: Order, claim: KeyClaim) -> bool:
        """Take ``claim``'s key and insert the order: one statement; False when the key was taken.

        Nothing is written for a taken key; the caller replays that key's answer.
        """
        lines = order.lines
        result = await self._session.execute(
            _PLACE_CLAIMING,
            {
                "customer_id": claim.customer_id,
                "key": claim.key,
                "request_hash": claim.request_hash,
                "in_progress": IN_PROGRESS,
                "id": order.id,
                "status": order.status.value,
                "currency": order.currency,
                "total_minor": order.total_minor,
                "version": order.version,
                "placed_at": order.placed_at,
                "updated_at": order.updated_at or order.placed_at,
                "skus": [line.sku for line in lines],
                "quantities": [line.quantity for line in lines],
                "prices": [line.unit_price_minor for line in lines],
            },
        )
        if not result.first():
            return False
        self.attach(order)
        return True

    async def get(self, order_id: uuid.UUID) -> Order | None:
        """The order with ``order_id``, or None."""
        row = (await self._session.execute(select(orders).where(orders.c.id == order_id))).first()
        if row is None:
            return None
        lines = await self._session.execute(
            select(order_lines).where(order_lines.c.order_id == order_id).order_by("line_no")
        )
        order = Order(
            id=row.id,
            customer_id=row.customer_id,
            currency=row.currency,
            lines=tuple(OrderLine(r.sku, r.quantity, r.unit_price_minor) for r in lines),
            status=OrderStatus(row.status),
            placed_at=row.placed_at,
            version=row.version,
            updated_at=row.updated_at,
        )
        self.attach(order)
        return order

    def attach(self, order: Order) -> None:
        """Adopt an order as stored at its current version; ``save`` checks that version."""
        self._versions.remember(order.id, order.version)
        self._seen[order.id] = order
        self._track(order)

    def seen(self) -> list[Order]:
        """Every order this repository loaded, added or adopted."""
        return list(self._seen.values())

    def answer_checkout(self, order: Order, answer: CheckoutAnswer) -> None:
        """Store ``answer`` for the checkout that created ``order`` (if still unanswered) when
        the order is saved: in the order's own statement when it changed."""
        self._answers[order.id] = answer

    async def save(self, order: Order) -> None:
        """Write the order's new status, if nobody changed it since it was read, and the
        checkout answer given for it (:meth:`answer_checkout`).

        Raises ``ConcurrentUpdate`` (409 ``concurrent_update``) when the stored version moved on.
        """
        values = {"status": order.status.value, "updated_at": order.updated_at}
        answer = self._answers.pop(order.id, None)
        if answer is None:
            await self._versions.save(order.id, order.version, values)
        elif self._versions.changed(order.id, order.version):
            await self._save_answering(order, answer)
        else:
            await complete_for_order(self._session, order.id, answer)

    async def _save_answering(self, order: Order, answer: CheckoutAnswer) -> None:
        seen = self._versions.seen(order.id)
        result = await self._session.execute(
            _SAVE_ANSWERING,
            {
                "id": order.id,
                "seen": seen,
                "version": order.version,
                "status": order.status.value,
                "updated_at": order.updated_at,
                "completed": COMPLETED,
                "in_progress": IN_PROGRESS,
                "outcome": answer.outcome,
                "answer": answer.to_json(),
            },
        )
        if result.scalar_one() != 1:
            raise ConcurrentUpdate(f"order {order.id} was changed concurrently; reload and retry")
        self._versions.remember(order.id, order.version)

"""The place-order command of upstream services, the same for HTTP and Kafka.

ONE transaction: wait for any other transaction on the same (client, external reference), then
either answer from the stored submission (a retry: no second order, no second reply) or decide
it now: price the lines, reserve the stock, create the order (confirmed when the upstream took
the payment), and store the submission with its reply (``OrderAccepted`` / ``OrderRejected``).
A refusal by a domain rule is a rejected submission, stored and replied to like an order.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog import api as catalog
from domains.orders.intake.batch import IntakeBatch
from domains.orders.intake.command import Channel, SubmissionResult, SubmitOrder
from domains.orders.intake.metrics import REPEATS, SUBMISSIONS, SUBMIT_SECONDS
from domains.orders.intake.model import Submission
from domains.orders.intake.pricing import price_lines
from domains.orders.model import Order
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import Conflict, DomainError, kind_of


async def submit_order(command: SubmitOrder, uow: OrdersUnitOfWork) -> SubmissionResult:
    """Decide ``command`` (or answer it as decided before), in one transaction."""
    async with uow:
        result = await decide(uow, command)
        await uow.commit()
    return result


async def decide(
    uow: OrdersUnitOfWork, command: SubmitOrder, batch: IntakeBatch | None = None
) -> SubmissionResult:
    """Inside ``uow``'s open transaction: the stored answer, or a new decision to commit
    (``batch``: what the batch this submission belongs to holds already)."""
    result, _ = await _answer(uow, command, batch)
    return result


async def _answer(
    uow: OrdersUnitOfWork, command: SubmitOrder, batch: IntakeBatch | None
) -> tuple[SubmissionResult, Submission | None]:
    """The answer, and the submission when it is a new one."""
    started = time.perf_counter()
    key = (command.client.client_id, command.external_reference)
    if batch is not None and key in batch.locked:  # locked and read with the whole batch
        stored = batch.stored.get(key)
    else:
        await uow.submissions.lock(*key)
        stored = await uow.submissions.get(*key)
    if stored is not None:
        return _repeat(stored, command), None
    submission = await _decide(uow, command, batch)
    uow.submissions.add(submission)
    channel = command.channel.value
    SUBMISSIONS.labels(channel, submission.outcome.value, submission.reason or "").inc()
    SUBMIT_SECONDS.labels(channel).observe(time.perf_counter() - started)
    return submission.result(), submission


def _repeat(stored: Submission, command: SubmitOrder) -> SubmissionResult:
    if stored.request_hash != command.request_hash:
        raise Conflict(
            f"external_reference {command.external_reference!r} was submitted before with "
            "other content; use a new reference for a new order",
            code="external_reference_reused",
        )
    REPEATS.labels(command.channel.value).inc()
    return stored.result(replayed=True)


async def _decide(
    uow: OrdersUnitOfWork, command: SubmitOrder, batch: IntakeBatch | None
) -> Submission:
    client_id, reference = command.client.client_id, command.external_reference
    try:
        order, priced_by = await _place(uow, command, batch)
    except DomainError as error:
        reason = (error.code, kind_of(error), error.message)
        return Submission.reject(
            client_id, reference, command.channel, command.request_hash, reason
        )
    return Submission.accept(
        client_id, reference, command.channel, command.request_hash, order, priced_by
    )


async def _place(
    uow: OrdersUnitOfWork, command: SubmitOrder, batch: IntakeBatch | None
) -> tuple[Order, str]:
    """Every refusal is raised before anything is written: pricing and the order's own rules
    are checked first, and the stock reservation undoes itself (a savepoint) when it fails."""
    session = uow.session
    prices = None if batch is None else batch.prices
    lines, priced_by = await price_lines(session, command, prices)
    order = Order.place(command.customer_id, command.currency, lines, order_id=uuid.uuid4())
    items = [(line.sku, line.quantity) for line in lines]
    paid = command.payment_reference is not None
    await catalog.reserve_stock(session, order.id, items, committed=paid)
    if command.payment_reference is not None:
        order.confirm(command.payment_reference)
        paid_upstream = payments.ExternalPayment(
            order.id, command.payment_reference, order.total_minor, order.currency
        )
        await payments.record_external_payment(session, paid_upstream)
    await uow.orders.add(order)  # as it ends up: inserted once, never updated after
    return order, priced_by


async def submit_in(
    session: AsyncSession, command: SubmitOrder, batch: IntakeBatch | None = None
) -> SubmissionResult:
    """Decide ``command`` inside ``session``'s transaction, which its owner commits.

    A transaction deciding several submissions must run them inside :func:`deciding_together`
    and pass its ``batch``: it took their locks in one order first. One submission alone in a
    transaction needs no batch (its own locks are taken in that order).
    """
    uow = OrdersUnitOfWork.joining(session)
    async with uow:
        result, submission = await _answer(uow, command, batch)
        await uow.commit()
    if batch is not None and submission is not None:  # written: a later record repeats it
        batch.stored[(submission.client_id, submission.external_reference)] = submission
    return result


async def reject_unreadable(
    session: AsyncSession,
    client_id: uuid.UUID,
    external_reference: str | None,
    channel: Channel,
    request_hash: str,
    reason: tuple[str, str],
) -> bool:
    """Reject a submission that is not even a valid command (``reason``: code, detail), in
    ``session``'s transaction. Its reference, when readable, is stored like any rejection so a
    retry is not answered twice; False when it was answered before (no second reply)."""
    code, detail = reason
    uow = OrdersUnitOfWork.joining(session)
    async with uow:
        submission = Submission.reject(
            client_id,
            external_reference or "",
            channel,
            request_hash,
            (code, "InvalidInput", detail),
        )
        if external_reference is None:
            uow.track(submission)  # nothing to store under: the reply goes out alone
        else:
            await uow.submissions.lock(client_id, external_reference)
            if await uow.submissions.get(client_id, external_reference) is not None:
                return False
            uow.submissions.add(submission)
        SUBMISSIONS.labels(channel.value, submission.outcome.value, code).inc()
        await uow.commit()
    return True

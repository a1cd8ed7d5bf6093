"""Making the recorded carrier calls: the fulfillment consumer's after-commit effect.

The handlers only record calls (``pending``) in the batch transaction; this effect makes them
after that transaction committed, with no transaction open while the carrier answers, and
marks each ``done`` in a short transaction of its own together with what the answer means
(a shipped or a cancelled shipment, the next call recorded). The calls of a shipment are made
in order until none is left: book, then hand over or void.

A mark that fails after the carrier answered is retried (database failures, a shipment changed
meanwhile), never the call: the answer is kept in this process's :class:`OutcomeLedger`, so
even when the database stays away longer and the batch waits, the next run only marks. A
process that dies between the answer and the mark loses the ledger; the next attempt calls
again with the same idempotency key, which the carrier answers as before (no second parcel).
Several attempts at the same call (a retry tier and a redelivery) are as safe: same key, and
only the first mark applies the answer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from consumers.fulfillment import metrics
from consumers.fulfillment.carrier import Carrier, CarrierRejected, CarrierUnavailable
from consumers.runtime import (
    Effect,
    EffectContext,
    OutcomeLedger,
    describe,
    infrastructure_cause,
)
from domains.fulfillment import api as fulfillment
from domains.shared import ConcurrentUpdate

Sessions = async_sessionmaker[AsyncSession]
Locate = Callable[[Any, Sessions], Awaitable[uuid.UUID | None]]
Op = fulfillment.CarrierOperation
log = structlog.get_logger("orderflow.fulfillment.carrier")

# How long one run of the effect retries a mark before the batch waits for the database.
MARK_PATIENCE_SECONDS = 15.0


class CarrierCalls:
    """The carrier, the marks and the ledger one consumer's effects share."""

    def __init__(
        self, carrier: Carrier, *, mark_patience_seconds: float = MARK_PATIENCE_SECONDS
    ) -> None:
        self._carrier = carrier
        self._ledger: OutcomeLedger[fulfillment.CallOutcome] = OutcomeLedger()
        self._marks = Marks(mark_patience_seconds)

    def effect(self, locate: Locate) -> Effect:
        """The effect making every call still to make for the shipment ``locate`` finds."""

        async def make_calls(event: object, ctx: EffectContext) -> None:
            shipment_id = await locate(event, ctx.sessions)
            if shipment_id is None:
                return
            # Each round completes one call; a shipment has at most one call per operation.
            while calls := await _to_make(ctx.sessions, shipment_id):
                await _make(self._carrier, self._ledger, self._marks, ctx, calls[0])

        return make_calls


async def _to_make(sessions: Sessions, shipment_id: uuid.UUID) -> list[fulfillment.CarrierCall]:
    async with sessions() as session:
        return await fulfillment.carrier_calls_to_make(session, shipment_id)


async def _make(
    carrier: Carrier,
    ledger: OutcomeLedger[fulfillment.CallOutcome],
    marks: Marks,
    ctx: EffectContext,
    call: fulfillment.CarrierCall,
) -> None:
    outcome = ledger.outcome(call.key)
    if outcome is None:
        try:
            outcome = await perform(carrier, call)
        except (CarrierUnavailable, CarrierRejected) as error:
            await marks.failed(ctx.sessions, call, error)
            raise
        ledger.remember(call.key, outcome)
    else:
        metrics.CARRIER_CALLS_SPARED.labels(call.operation.value).inc()
    await marks.done(ctx.sessions, call, outcome)
    ledger.forget(call.key)
    log.info(
        "carrier_call_made",
        operation=call.operation.value,
        key=call.key,
        outcome=type(outcome).__name__,
        order_id=str(call.order_id),
        correlation_id=ctx.envelope.correlation_id,
    )


async def perform(carrier: Carrier, call: fulfillment.CarrierCall) -> fulfillment.CallOutcome:
    """Make ``call`` at the carrier (with its idempotency key); what it answered."""
    operation, started = call.operation.value, time.perf_counter()
    try:
        outcome = await _ask(carrier, call)
    except CarrierUnavailable:
        metrics.CARRIER_CALLS.labels(operation, "unavailable").inc()
        raise
    except CarrierRejected:
        metrics.CARRIER_CALLS.labels(operation, "rejected").inc()
        raise
    finally:
        metrics.CARRIER_CALL_SECONDS.labels(operation).observe(time.perf_counter() - started)
    shipped = isinstance(outcome, fulfillment.AlreadyShipped)
    metrics.CARRIER_CALLS.labels(operation, "already_shipped" if shipped else "ok").inc()
    return outcome


async def _ask(carrier: Carrier, call: fulfillment.CarrierCall) -> fulfillment.CallOutcome:
    shipment_id, key = call.shipment_id, call.key
    match call.operation:
        case Op.BOOK:
            parcel = await carrier.book(shipment_id, call.order_id, key=key)
            return fulfillment.Booked(parcel.carrier, parcel.tracking_number)
        case Op.HAND_OVER:
            await carrier.hand_over(shipment_id, key=key)
            return fulfillment.HandedOver()
        case Op.VOID:
            voided = await carrier.void(shipment_id, key=key)
            return fulfillment.Voided() if voided else fulfillment.AlreadyShipped()


class Marks:
    """The marks after a call, each retried for ``patience`` seconds on database failures and
    on a shipment changed by a concurrent transaction (the answer is applied afresh)."""

    def __init__(self, patience: float = MARK_PATIENCE_SECONDS) -> None:
        self._patience = patience

    async def done(
        self, sessions: Sessions, call: fulfillment.CarrierCall, outcome: fulfillment.CallOutcome
    ) -> None:
        """Record the answer (only the first mark of a call applies it)."""
        async for attempt in self._retrying():
            with attempt:
                async with sessions.begin() as session:
                    await fulfillment.record_call_done(session, call, outcome)

    async def failed(
        self, sessions: Sessions, call: fulfillment.CarrierCall, error: Exception
    ) -> None:
        """Count the failed attempt (a refusal for good marks the call ``failed``)."""
        for_good = isinstance(error, CarrierRejected)
        async for attempt in self._retrying():
            with attempt:
                async with sessions.begin() as session:
                    await fulfillment.record_call_failed(
                        session, call, describe(error), for_good=for_good
                    )

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(_worth_retrying),
            wait=wait_exponential(multiplier=0.1, max=2.0),
            stop=stop_after_delay(self._patience),
            before_sleep=lambda _: metrics.CARRIER_MARKS_RETRIED.inc(),
            reraise=True,
        )


def _worth_retrying(error: BaseException) -> bool:
    return isinstance(error, ConcurrentUpdate) or infrastructure_cause(error) is not None

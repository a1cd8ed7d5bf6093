"""Delivery tracking: ask the carrier about shipped parcels; record the delivered ones.

The carrier is polled (not called back), so nothing needs to reach us from outside; a
delivered parcel becomes ``ShipmentDelivered`` through the outbox. Several trackers may run:
each claims different parcels, and the shipment's version check lets exactly one of them
record a delivery.

A pass claims the parcels least recently asked about (round robin: every parcel in transit is
asked about within a bounded number of passes, however many others never change) and asks a
few at a time. A parcel the carrier does not know is asked about again later and later, and
shown to operators (``orderflow_fulfillment_parcels_unknown``, ``parcel_unknown_to_carrier``).
The carrier is never asked inside a transaction: claiming, recording a delivery and recording
the answers are each a short one of their own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment import metrics
from consumers.fulfillment.carrier import Carrier, CarrierRejected, CarrierUnavailable
from domains.fulfillment import api as fulfillment
from domains.shared import Conflict
from events import bind_message_context
from foundation.jobs import Backoff, run_every

log = structlog.get_logger("orderflow.fulfillment.tracking")
Answer = fulfillment.TrackingAnswer
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class TrackingPolicy:
    """How a pass asks: at most ``batch`` parcels, ``concurrency`` carrier calls at a time, and
    how long parcels the carrier does not know wait before the next question."""

    batch: int = 100
    # A few calls at once: a pass of a full batch at the carrier's timeout (5 s) still ends in
    # about two minutes, without flooding the carrier.
    concurrency: int = 4
    unknown_backoff: fulfillment.UnknownParcelBackoff = field(
        default_factory=fulfillment.UnknownParcelBackoff
    )


@dataclass(frozen=True)
class TrackingReport:
    """What one pass asked and heard."""

    asked: int
    delivered: int
    unknown: int
    unanswered: int


async def track_deliveries(
    sessions: Sessions,
    carrier: Carrier,
    *,
    policy: TrackingPolicy = TrackingPolicy(),
    stop: asyncio.Event | None = None,
) -> TrackingReport:
    """One pass: ask about up to ``policy.batch`` parcels due, record the delivered ones and
    the answers; raises :class:`CarrierUnavailable` when the carrier answered none of them.

    Once ``stop`` is set, the parcels not asked about yet are left for a later pass.
    """
    async with sessions.begin() as session:
        claimed = await fulfillment.claim_shipments_to_track(session, limit=policy.batch)
    answers = await _ask_all(sessions, carrier, claimed, policy, stop or asyncio.Event())
    async with sessions.begin() as session:
        unknown = await fulfillment.record_tracking_answers(
            session, answers, policy.unknown_backoff
        )
        metrics.PARCELS_UNKNOWN.set(await fulfillment.count_parcels_unknown(session))
    for parcel in unknown:
        _log_unknown(parcel)
    return _report(answers, len(unknown))


async def run_delivery_tracking(
    sessions: Sessions,
    carrier: Carrier,
    stop: asyncio.Event,
    *,
    interval_seconds: float = 5.0,
    backoff: Backoff = Backoff(),  # noqa: B008  (frozen)
    policy: TrackingPolicy = TrackingPolicy(),
) -> None:
    """Track deliveries every ``interval_seconds`` until ``stop`` (the job
    ``fulfillment:tracking``): a pass that fails — the carrier or the database away — backs off
    and the job goes on."""

    async def one_pass() -> None:
        report = await track_deliveries(sessions, carrier, policy=policy, stop=stop)
        if report.delivered:
            log.info("deliveries_recorded", count=report.delivered)

    await run_every("fulfillment:tracking", one_pass, interval_seconds, stop, backoff=backoff)


async def _ask_all(
    sessions: Sessions,
    carrier: Carrier,
    claimed: list[fulfillment.TrackedShipment],
    policy: TrackingPolicy,
    stop: asyncio.Event,
) -> list[tuple[fulfillment.TrackedShipment, Answer]]:
    """The answers about ``claimed``, ``policy.concurrency`` questions at a time."""
    gate = asyncio.Semaphore(policy.concurrency)
    try:
        async with asyncio.TaskGroup() as group:
            asking = [group.create_task(_ask(sessions, carrier, gate, stop, s)) for s in claimed]
    except ExceptionGroup as failed:  # the first failure says what went wrong (the job logs it)
        raise failed.exceptions[0] from failed
    answers = []
    for shipment, task in zip(claimed, asking, strict=True):
        if (answer := task.result()) is not None:
            answers.append((shipment, answer))
    return answers


async def _ask(
    sessions: Sessions,
    carrier: Carrier,
    gate: asyncio.Semaphore,
    stop: asyncio.Event,
    shipment: fulfillment.TrackedShipment,
) -> Answer | None:
    """The carrier's answer about ``shipment`` (None: not asked, the job stops), the delivery
    recorded once the carrier says so. Runs in a task of its own: the bound context is its."""
    async with gate:
        if stop.is_set():
            return None
        bind_message_context(shipment.correlation_id)
        answer = await _track(carrier, shipment)
    if answer is Answer.DELIVERED:
        await _record_delivery(sessions, shipment)
    return answer


async def _track(carrier: Carrier, shipment: fulfillment.TrackedShipment) -> Answer:
    started = time.perf_counter()
    try:
        parcel = await carrier.track(shipment.id)
    except (CarrierUnavailable, CarrierRejected) as error:
        outcome = "rejected" if isinstance(error, CarrierRejected) else "unavailable"
        metrics.CARRIER_CALLS.labels("track", outcome).inc()
        log.info("parcel_not_tracked", shipment_id=str(shipment.id), error=str(error)[:300])
        return Answer.UNAVAILABLE
    finally:
        metrics.CARRIER_CALL_SECONDS.labels("track").observe(time.perf_counter() - started)
    if parcel is None:
        answer = Answer.UNKNOWN
    else:
        answer = Answer.DELIVERED if parcel.status == "delivered" else Answer.IN_TRANSIT
    metrics.CARRIER_CALLS.labels("track", answer.value).inc()
    return answer


async def _record_delivery(sessions: Sessions, shipment: fulfillment.TrackedShipment) -> None:
    try:
        async with sessions.begin() as session:
            await fulfillment.advance_shipment(
                session, shipment.id, fulfillment.ShipmentStatus.DELIVERED
            )
    except Conflict:
        return  # another tracker recorded it first
    log.info("delivery_recorded", shipment_id=str(shipment.id), order_id=str(shipment.order_id))


def _log_unknown(parcel: fulfillment.UnknownParcel) -> None:
    shipment = parcel.shipment
    with structlog.contextvars.bound_contextvars(correlation_id=shipment.correlation_id):
        log.warning(
            "parcel_unknown_to_carrier",
            shipment_id=str(shipment.id),
            order_id=str(shipment.order_id),
            unknown_answers=parcel.unknown_answers,
            next_question_in_seconds=parcel.wait_seconds,
        )


def _report(
    answers: list[tuple[fulfillment.TrackedShipment, Answer]], unknown: int
) -> TrackingReport:
    said = [answer for _, answer in answers]
    report = TrackingReport(
        asked=len(said),
        delivered=said.count(Answer.DELIVERED),
        unknown=unknown,
        unanswered=said.count(Answer.UNAVAILABLE),
    )
    if report.asked and report.unanswered == report.asked:
        # The carrier is away, not these parcels: the job logs it and backs off.
        raise CarrierUnavailable(f"the carrier answered none of {report.asked} tracking questions")
    return report

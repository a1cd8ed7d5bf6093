"""Carrier calls: what fulfillment asked the carrier to do, recorded before it is done.

A call is written (``pending``) in the transaction that decides it, made after that transaction
committed, and marked ``done`` together with what its answer means for the shipment. Each call
carries an idempotency key derived from the shipment and the operation, sent to the carrier with
every attempt: calling again after a crash or a lost answer is the same call, never a second
parcel or a second hand-over. ``failed`` says the last attempt was refused for good; the call is
still to be made (an operator's replay tries it again).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass


class CarrierOperation(enum.StrEnum):
    """What a call asks of the carrier."""

    BOOK = "book"  # a label for the parcel: nothing leaves the warehouse yet
    HAND_OVER = "hand_over"  # the carrier takes the parcel: the point of no return
    VOID = "void"  # cancel a label the carrier does not have yet


# Calls of one shipment are made in this order: a label is voided only after it was booked.
RANK = {CarrierOperation.BOOK: 0, CarrierOperation.HAND_OVER: 1, CarrierOperation.VOID: 1}


class CallStatus(enum.StrEnum):
    """Where a call stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def call_key(operation: CarrierOperation, shipment_id: uuid.UUID) -> str:
    """The idempotency key of ``operation`` for ``shipment_id`` (one such call per shipment)."""
    return f"{operation.value}:{shipment_id}"


@dataclass(frozen=True)
class CarrierCall:
    """One recorded call."""

    shipment_id: uuid.UUID
    order_id: uuid.UUID
    operation: CarrierOperation
    status: CallStatus = CallStatus.PENDING
    attempts: int = 0
    last_error: str | None = None

    @property
    def key(self) -> str:
        """The idempotency key sent with every attempt."""
        return call_key(self.operation, self.shipment_id)


@dataclass(frozen=True)
class Booked:
    """The carrier booked the label."""

    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class HandedOver:
    """The carrier has the parcel."""


@dataclass(frozen=True)
class Voided:
    """The carrier voided the label (or never had one)."""


@dataclass(frozen=True)
class AlreadyShipped:
    """The carrier refused to void: it has the parcel already."""


CallOutcome = Booked | HandedOver | Voided | AlreadyShipped

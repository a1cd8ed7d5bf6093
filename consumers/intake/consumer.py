"""The intake consumer group on ``intake.orders.v1``, on the same runtime as every group
(inbox dedupe, retry tiers, dead letters)."""

from __future__ import annotations

import uuid

from consumers.intake.batch import decide_together
from consumers.intake.handlers import dead_letter_refused, take_submission
from consumers.runtime import Consumer
from events import Envelope
from events.schemas.orders import OrderSubmitted
from events.schemas.orders.submitted import TOPIC

GROUP = "intake"
# The namespace of the intake's inbox ids (a fixed, random UUID: changing it forgets them all).
_SOURCE_AND_ID = uuid.UUID("0c3e5f2a-8d1b-4f6e-9a7c-2b5d8e1f4a30")


def source_and_id(envelope: Envelope) -> uuid.UUID:
    """The inbox id of a submission: its (``ce_source``, ``ce_id``). Upstream services pick
    their ids, and CloudEvents makes them unique per source only: one client's id must never
    make the runtime skip another client's record as a duplicate."""
    return uuid.uuid5(_SOURCE_AND_ID, f"{envelope.source}\n{envelope.event_id}")


def intake_consumer(*, group: str = GROUP) -> Consumer:
    """The intake group: each submission runs the place-order command of the HTTP door."""
    return Consumer(
        name=group,
        topics=(TOPIC,),
        handlers={OrderSubmitted: take_submission},
        effects={OrderSubmitted: dead_letter_refused},
        batch_scope=decide_together,
        inbox_key=source_and_id,
    )

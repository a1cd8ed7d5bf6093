"""The intake consumer group on ``intake.orders.v1``, on the same runtime as every group
(inbox dedupe by ``ce_id``, retry tiers, dead letters)."""

from __future__ import annotations

from consumers.intake.batch import decide_together
from consumers.intake.handlers import dead_letter_refused, take_submission
from consumers.runtime import Consumer
from events.schemas.orders import OrderSubmitted
from events.schemas.orders.submitted import TOPIC

GROUP = "intake"


def intake_consumer(*, group: str = GROUP) -> Consumer:
    """The intake group: each submission runs the place-order command of the HTTP door."""
    return Consumer(
        name=group,
        topics=(TOPIC,),
        handlers={OrderSubmitted: take_submission},
        effects={OrderSubmitted: dead_letter_refused},
        batch_scope=decide_together,
    )

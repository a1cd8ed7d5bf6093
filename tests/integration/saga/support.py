"""What the saga fixtures hand the tests: the steerable fake carrier and the running saga."""

from __future__ import annotations

from dataclasses import dataclass

from devtools.fakes.carrier import CarrierState


@dataclass
class FakeCarrier:
    """The fake carrier on a port, and its state for steering."""

    state: CarrierState
    url: str


@dataclass
class Saga:
    """What the saga tests run against."""

    carrier: FakeCarrier
    fulfillment_group: str

"""What a fault scenario leaves behind, as plain values the invariants are computed from.

Collected from PostgreSQL, every topic of the private broker, the SMTP sink and the fake
carrier once the deployment is quiet (see ``collect.py``); built by hand in unit tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from tests.faults.load import Checkout
from tests.faults.processes import Exit


@dataclass(frozen=True)
class OutboxRow:
    """A committed outbox row."""

    event_id: str
    topic: str
    key: str
    event_type: str  # e.g. orders.OrderConfirmed
    aggregate_version: int
    published: bool = True
    parked: bool = False

    def describe(self) -> str:
        """Type, id, key and version, as findings name an event."""
        return f"{self.event_type} {self.event_id} (key {self.key}, v{self.aggregate_version})"


@dataclass(frozen=True)
class Record:
    """A record read back from Kafka (headers decoded; None where a header is missing)."""

    topic: str
    partition: int
    offset: int
    key: str
    event_id: str | None
    event_type: str | None
    aggregate_version: int | None
    failure: str | None = None  # dead letters: reason, exception type and message


@dataclass(frozen=True)
class Parcel:
    """A parcel booked at the carrier: our shipment id is its reference."""

    reference: str
    status: str  # in_transit, delivered, voided


@dataclass(frozen=True)
class Group:
    """A consumer group: the topics it reads and the event types it has a handler for."""

    name: str
    topics: frozenset[str]
    handles: frozenset[str]


@dataclass
class Evidence:
    """Everything the invariants look at."""

    outbox: list[OutboxRow] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    dead_letters: list[Record] = field(default_factory=list)
    retries: list[Record] = field(default_factory=list)  # records on the groups' retry tiers
    committed: dict[tuple[str, str, int], int] = field(default_factory=dict)  # group, topic, p
    quarantined: list[str] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)  # order id → status
    search: dict[str, str] = field(default_factory=dict)  # order id → status in the read model
    shipments: dict[str, str] = field(default_factory=dict)  # order id → shipment status
    parcels: dict[str, list[Parcel]] = field(default_factory=dict)  # order id → at the carrier
    refunds: Counter[str] = field(default_factory=Counter)  # order id → refunds recorded
    emails: Counter[str] = field(default_factory=Counter)  # Message-ID → copies at the sink
    email_arrivals: dict[str, list[datetime]] = field(default_factory=dict)  # Message-ID → UTC
    sender_kills: list[datetime] = field(default_factory=list)  # kill -9 of the email sender
    inbox: set[tuple[str, str]] = field(default_factory=set)  # (group, event id)
    groups: list[Group] = field(default_factory=list)
    keys_in_progress: list[str] = field(default_factory=list)
    checkouts: list[Checkout] = field(default_factory=list)
    exits: list[Exit] = field(default_factory=list)
    quiet: bool = True
    not_quiet_because: str = ""

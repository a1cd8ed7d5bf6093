"""The transactional outbox: ``append`` in the caller's transaction, the relay, retention.

Knows nothing about domains: it stores envelopes and publishes them.
"""

from outbox.append import append, append_envelope, lane_of
from outbox.options import RelayOptions
from outbox.relay import OutboxRelay
from outbox.tables import LANES, metadata, outbox_events, outbox_parked, outbox_pending

__all__ = [
    "LANES",
    "OutboxRelay",
    "RelayOptions",
    "append",
    "append_envelope",
    "lane_of",
    "metadata",
    "outbox_events",
    "outbox_parked",
    "outbox_pending",
]

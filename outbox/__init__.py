"""The transactional outbox: ``append`` in the caller's transaction, the relay, retention.

Knows nothing about domains: it stores envelopes and publishes them.
"""

from outbox.append import append, append_envelope
from outbox.relay import OutboxRelay
from outbox.tables import LANES, NAMING_CONVENTION, metadata, outbox_events

__all__ = [
    "LANES",
    "NAMING_CONVENTION",
    "OutboxRelay",
    "append",
    "append_envelope",
    "metadata",
    "outbox_events",
]

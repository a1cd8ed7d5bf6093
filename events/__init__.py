"""Versioned integration events: the contract with downstream teams.

Public surface: the envelope, the registry of (type, version) → model/topic/key, the Kafka
codec and the message context (correlation and causation ids).
"""

from events.codec import KafkaRecord, PoisonMessage, PoisonReason, decode_record, encode_record
from events.context import bind_message_context, current_causation_id, current_correlation_id
from events.envelope import Envelope, new_envelope
from events.registry import EventSpec, IntegrationEvent, registry

__all__ = [
    "Envelope",
    "EventSpec",
    "IntegrationEvent",
    "KafkaRecord",
    "PoisonMessage",
    "PoisonReason",
    "bind_message_context",
    "current_causation_id",
    "current_correlation_id",
    "decode_record",
    "encode_record",
    "new_envelope",
    "registry",
]

"""The envelope: what every event carries besides its payload (CloudEvents 1.0 attributes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from events.context import child_traceparent, current_causation_id, current_correlation_id
from events.registry import IntegrationEvent, registry
from foundation.namespace import DEFAULT_NAMESPACE, Namespace
from foundation.producer import UNKNOWN_PRODUCER, Producer
from foundation.tracing import creation_traceparent, tracing_on

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Envelope:
    """One event ready to publish: identity, routing, tracing and the JSON payload.

    ``producer_version`` is the build that wrote the event (the ``producerversion``
    extension, ``orderflow/0.1.0+1a2b3c4d5e6f``); None on a consumed record that does not say
    (written before the extension existed, or sent by an upstream client).
    """

    event_id: uuid.UUID
    event_type: str
    version: int
    topic: str
    key: str
    source: str
    time: datetime
    aggregate_version: int
    correlation_id: str
    causation_id: str | None
    traceparent: str
    payload: bytes
    producer_version: str | None = None

    @property
    def ce_type(self) -> str:
        """The CloudEvents ``type``: ``orderflow.<event type>.v<version>``."""
        return f"orderflow.{self.event_type}.v{self.version}"


def new_envelope(
    event: IntegrationEvent,
    *,
    aggregate_version: int,
    namespace: Namespace = DEFAULT_NAMESPACE,
    producer: Producer = UNKNOWN_PRODUCER,
) -> Envelope:
    """Wrap ``event`` after validating it against its registered schema.

    ``namespace`` is the deployment's: it names the topic on the wire and the ``source``.
    ``producer`` is the writing process's build, stamped now, at write time (the relay
    publishes the stamp as written).

    Raises ``UnknownEventType`` for an unregistered model and pydantic's ``ValidationError``
    for an invalid payload, so a bad event never reaches the outbox.
    """
    spec = registry.spec_for(event)
    payload = spec.model.model_validate(event.model_dump()).model_dump_json().encode()
    event_id, topic, key = uuid.uuid4(), namespace.topic(spec.topic), spec.key_of(event)
    return Envelope(
        event_id=event_id,
        event_type=spec.event_type,
        version=spec.version,
        topic=topic,
        key=key,
        source=namespace.source(spec.domain),
        time=datetime.now(UTC),
        aggregate_version=aggregate_version,
        correlation_id=current_correlation_id(),
        causation_id=current_causation_id(),
        traceparent=_creation(topic, event_id, key) or child_traceparent(),
        payload=payload,
        producer_version=producer.stamp(),
    )


def _creation(topic: str, event_id: uuid.UUID, key: str) -> str | None:
    """The ``traceparent`` of the event's ``create`` span while tracing is on, else None."""
    if not tracing_on():
        return None
    return creation_traceparent(
        topic,
        {
            "messaging.system": "kafka",
            "messaging.operation.type": "create",
            "messaging.destination.name": topic,
            "messaging.message.id": str(event_id),
            "messaging.kafka.message.key": key,
        },
    )

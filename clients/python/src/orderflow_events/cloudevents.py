"""Records ⇄ typed events: the CloudEvents 1.0 Kafka binding in binary content mode.

The attributes travel as ``ce_*`` headers, the value is the JSON payload and the key is the
aggregate id; ``correlation_id``, ``causation_id``, ``aggregate_version`` and ``traceparent``
are plain headers, and the ``ce_producerversion`` extension names the build of orderflow that
wrote the event. :func:`encode` builds a record exactly as orderflow's relay publishes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from orderflow_events.base import Event
from orderflow_events.errors import Reason, UndecodableRecord
from orderflow_events.metadata import PRODUCER_VERSION, EventMetadata, header, read_metadata
from orderflow_events.registry import EventRegistry, registry

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A decoded record: the event (upcast to the newest version) and its metadata."""

    event: Event
    metadata: EventMetadata


@dataclass(frozen=True, slots=True)
class Record:
    """A record as orderflow publishes it: topic, key, JSON value and string headers."""

    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str]

    def header_list(self) -> list[tuple[str, bytes]]:
        """The headers as a Kafka client sends them."""
        return [(name, value.encode()) for name, value in self.headers.items()]


def headers_of(raw: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    """A Kafka client's header list as text, or :class:`UndecodableRecord` for non-UTF-8 bytes."""
    try:
        return {name: value.decode() for name, value in raw if value is not None}
    except UnicodeDecodeError:
        raise UndecodableRecord(Reason.CANNOT_DECODE, "a header is not UTF-8") from None


def decode_event(
    value: bytes | None, headers: Mapping[str, str], events: EventRegistry = registry
) -> Event:
    """The typed event of a record, upcast to the newest version on its topic.

    Raises :class:`UndecodableRecord` (or its :class:`UnknownEventVersion`) saying why not.
    """
    model = events.model_for(header(headers, "ce_type"))
    if not value:
        raise UndecodableRecord(Reason.CANNOT_DECODE, "the record has no value")
    wire = _validate(model, value)
    if events.is_newest(model):
        return wire  # the common case: nothing to dump and validate again
    newest, payload = events.upcast(model, wire.model_dump(mode="json"))
    try:
        return newest.model_validate(payload)
    except ValidationError as exc:
        detail = f"upcasting {model.event_spec.ce_type} failed: {_summarize(exc)}"
        raise UndecodableRecord(Reason.INVALID_PAYLOAD, detail) from None


def decode(
    value: bytes | None,
    headers: Mapping[str, str],
    *,
    key: bytes | str | None = None,
    topic: str = "",
    partition: int | None = None,
    offset: int | None = None,
) -> Delivery:
    """The event and the metadata of one record (see :func:`decode_event`)."""
    event = decode_event(value, headers)
    metadata = read_metadata(headers, key=key, topic=topic, partition=partition, offset=offset)
    return Delivery(event, metadata)


def encode(
    event: Event,
    *,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
    aggregate_version: int = 1,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    traceparent: str | None = None,
    source: str | None = None,
    topic_prefix: str = "",
    producer_version: str | None = None,
) -> Record:
    """The record orderflow publishes for ``event`` (fresh ids and the current time by default).

    ``producer_version`` (``orderflow/0.1.0+1a2b3c4d5e6f``) is sent as ``ce_producerversion``
    when given: orderflow stamps every event it writes with its build.
    """
    spec = event.event_spec
    key = str(getattr(event, spec.key))
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(event_id or uuid.uuid4()),
        "ce_type": spec.ce_type,
        "ce_source": source or f"/orderflow/{spec.domain}",
        "ce_subject": key,
        "ce_time": (time or datetime.now(UTC)).isoformat(),
        "content-type": CONTENT_TYPE,
        "correlation_id": correlation_id or str(uuid.uuid4()),
        "aggregate_version": str(aggregate_version),
        "traceparent": traceparent or f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
    }
    if causation_id:
        headers["causation_id"] = causation_id
    if producer_version:
        headers[PRODUCER_VERSION] = producer_version
    value = event.model_dump_json().encode()
    return Record(topic_prefix + spec.topic, key.encode(), value, headers)


def _validate(model: type[Event], value: bytes) -> Event:
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise UndecodableRecord(Reason.CANNOT_DECODE, "the value is not JSON") from None
        detail = f"{model.event_spec.ce_type}: {_summarize(exc)}"
        raise UndecodableRecord(Reason.INVALID_PAYLOAD, detail) from None


def _summarize(exc: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)

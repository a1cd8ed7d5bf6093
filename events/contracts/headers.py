"""The Kafka headers of every record: CloudEvents attributes plus our extension headers."""

from __future__ import annotations

from typing import Any

from events.registry import EventSpec

Document = dict[str, Any]

_STRING = {"type": "string"}
_CE_HEADERS: dict[str, Document] = {
    "ce_specversion": {"const": "1.0", "description": "CloudEvents version."},
    "ce_id": {"format": "uuid", "description": "The event id; the consumers' idempotency key."},
    "ce_source": {
        "description": "The emitting deployment and domain: `<event source>/<domain>`, "
        "`/orderflow/<domain>` unless the deployment sets its own source."
    },
    "ce_time": {"format": "date-time", "description": "When the event happened (RFC 3339)."},
    "ce_subject": {"description": "The aggregate id (the record key)."},
    "content-type": {"const": "application/json", "description": "CloudEvents datacontenttype."},
    "ce_producerversion": {
        "pattern": "^[^/]+/.+$",
        "description": "CloudEvents extension `producerversion`: the build that wrote the event, "
        "`orderflow/<version>+<commit>` (the commit's first 12 hex digits, then `.dirty` if "
        "that build had uncommitted changes). Stamped when the event is written, in the "
        "writer's transaction; relays, retries and dead letters keep it. Absent on events "
        "written by older releases: read it as optional.",
    },
}
# Headers a record may lack: a consumer must not require them.
_OPTIONAL = ("causation_id", "ce_producerversion")
_EXTENSION_HEADERS: dict[str, Document] = {
    "correlation_id": {"description": "Shared by every event of one conversation (request)."},
    "causation_id": {"description": "The `ce_id` of the event that caused this one, if any."},
    "aggregate_version": {
        "pattern": "^[0-9]+$",
        "description": "The aggregate's version after the change (decimal text).",
    },
    "traceparent": {"description": "W3C trace context of the write."},
}


def headers_schema(spec: EventSpec) -> Document:
    """The JSON Schema of the headers of one (type, version): every value is UTF-8 text."""
    properties: dict[str, Document] = {
        "ce_type": {**_STRING, "const": spec.ce_type, "description": "Event type and version."},
    }
    for name, schema in {**_CE_HEADERS, **_EXTENSION_HEADERS}.items():
        properties[name] = {**_STRING, **schema}
    required = [name for name in properties if name not in _OPTIONAL]
    return {"type": "object", "properties": properties, "required": required}


def example_headers(spec: EventSpec, payload: Document) -> dict[str, str]:
    """Plausible headers for an example payload."""
    key = str(payload.get(spec.key_field, ""))
    return {
        "ce_specversion": "1.0",
        "ce_id": "7f1c2b9e-4d3a-4e8f-b6a1-0c9d8e7f6a5b",
        "ce_type": spec.ce_type,
        "ce_source": f"/orderflow/{spec.domain}",
        "ce_time": "2026-01-15T10:30:00.123456+00:00",
        "ce_subject": key,
        "content-type": "application/json",
        "ce_producerversion": "orderflow/0.1.0+1a2b3c4d5e6f",
        "correlation_id": "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
        "aggregate_version": "1",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    }

"""What a record says about its event besides the payload: CloudEvents attributes and ours."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from orderflow_events.errors import Reason, UndecodableRecord
from orderflow_events.registry import parse_ce_type

T = TypeVar("T")


@dataclass(slots=True)
class EventMetadata:
    """The envelope of one consumed event.

    Attributes:
        event_id: ``ce_id``, the idempotency key: deduplicate on it.
        event_type: e.g. ``orders.OrderConfirmed``.
        version: the version on the wire, before upcasting (the event you get is the newest).
        source: ``ce_source``, the emitting domain (``/orderflow/orders``).
        time: ``ce_time``, when the event happened.
        key: the record key, the aggregate id (``ce_subject``).
        correlation_id: shared by every event of one conversation (one checkout).
        causation_id: the ``event_id`` of the event that caused this one, if any.
        traceparent: the W3C trace context of the write.
        aggregate_version: the aggregate's version after the change; orders one aggregate's events.
        topic: the topic the record was read from.
        partition: its partition, when read from a broker.
        offset: its offset, when read from a broker.
        producer_version: ``ce_producerversion``, the build of orderflow that wrote the event
            (``orderflow/0.1.0+1a2b3c4d5e6f``: version, then the commit); None when the record
            does not say (written by an older orderflow).
    """

    event_id: uuid.UUID
    event_type: str
    version: int
    source: str
    time: datetime
    key: str
    correlation_id: str
    causation_id: str | None
    traceparent: str | None
    aggregate_version: int
    topic: str = ""
    partition: int | None = None
    offset: int | None = None
    producer_version: str | None = None


# The CloudEvents extension attribute naming the build that wrote the event.
PRODUCER_VERSION = "ce_producerversion"
# A producer using a CloudEvents SDK can only send extension *attributes* (``ce_`` + lowercase
# letters and digits); they stand in for orderflow's plain headers when those are absent.
_EXTENSIONS = {
    "correlation_id": "ce_correlationid",
    "causation_id": "ce_causationid",
    "aggregate_version": "ce_aggregateversion",
    "traceparent": "ce_traceparent",
}


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header, or its CloudEvents extension-attribute spelling."""
    value = headers.get(name)
    if value is None and name in _EXTENSIONS:
        value = headers.get(_EXTENSIONS[name])
    return value


def read_metadata(
    headers: Mapping[str, str],
    *,
    key: bytes | str | None = None,
    topic: str = "",
    partition: int | None = None,
    offset: int | None = None,
) -> EventMetadata:
    """The metadata of a record, or :class:`UndecodableRecord` naming the header at fault."""
    try:  # one guarded block for the parsed headers: this runs for every record
        event_type, version = _types(headers["ce_type"])
        event_id = uuid.UUID(headers["ce_id"])
        time = datetime.fromisoformat(headers["ce_time"])
        aggregate_version = int(_plain(headers, "aggregate_version") or "")
    except (KeyError, ValueError):
        _explain(headers)  # raises, naming the first header that is missing or malformed
        raise
    record_key = key.decode(errors="replace") if isinstance(key, bytes) else key
    return EventMetadata(
        event_id=event_id,
        event_type=event_type,
        version=version,
        source=headers.get("ce_source", ""),
        time=time,
        key=record_key or headers.get("ce_subject", ""),
        correlation_id=_plain(headers, "correlation_id") or "",
        causation_id=_plain(headers, "causation_id"),
        traceparent=_plain(headers, "traceparent"),
        aggregate_version=aggregate_version,
        topic=topic,
        partition=partition,
        offset=offset,
        producer_version=headers.get(PRODUCER_VERSION),
    )


_TYPES: dict[str, tuple[str, int]] = {}


def _types(ce_type: str) -> tuple[str, int]:
    """``parse_ce_type``, remembered: a topic carries a handful of types."""
    parsed = _TYPES.get(ce_type)
    if parsed is None:
        parsed = parse_ce_type(ce_type)
        if len(_TYPES) < 1024:  # bounded: a flood of odd types must not grow memory
            _TYPES[ce_type] = parsed
    return parsed


def _plain(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return headers.get(_EXTENSIONS[name]) if value is None else value


def _explain(headers: Mapping[str, str]) -> None:
    """Raise :class:`UndecodableRecord` for the first header that is missing or malformed."""
    parse_ce_type(_required(headers, "ce_type"))
    _parse(uuid.UUID, headers, "ce_id")
    _parse(datetime.fromisoformat, headers, "ce_time")
    _parse(int, headers, "aggregate_version")


def _required(headers: Mapping[str, str], name: str) -> str:
    value = header(headers, name)
    if value is None:
        raise UndecodableRecord(Reason.CANNOT_DECODE, f"the {name} header is missing")
    return value


def _parse(parse: Callable[[str], T], headers: Mapping[str, str], name: str) -> T:
    raw = _required(headers, name)
    try:
        return parse(raw)
    except ValueError:
        detail = f"the {name} header {raw!r} is malformed"
        raise UndecodableRecord(Reason.CANNOT_DECODE, detail) from None

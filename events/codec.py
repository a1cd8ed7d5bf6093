"""Envelope ⇄ Kafka record, CloudEvents 1.0 Kafka binding in binary content mode.

CloudEvents attributes travel as ``ce_*`` headers, the payload is the record value, and the
record key is the aggregate id. ``correlation_id``, ``causation_id``, ``aggregate_version`` and
``traceparent`` ride along as plain headers.

How a CloudEvents SDK sees our records (checked against the official Python SDK's Kafka
binding in ``tests/unit/events/test_cloudevents_interop.py``): every ``ce_*`` header is an
attribute, ``content-type`` is ``datacontenttype``, the record key becomes the ``partitionkey``
extension, and the plain headers are not part of the event (CloudEvents extension names are
lowercase letters and digits only, so ``correlation_id`` cannot be one); read them from the
record's headers. Conversely, a producer using an SDK may send them as extension attributes
(``ce_correlationid``, ``ce_causationid``, ``ce_aggregateversion``, ``ce_traceparent``):
:func:`decode_record` accepts those when the plain header is absent.

``ce_producerversion`` is a true extension attribute (an SDK sees ``producerversion``): the
build that wrote the event, ``orderflow/<version>+<commit>``, stamped at write time
(``foundation.producer``). It is optional: a record without it (an older producer, an upstream
client) decodes with ``producer_version`` None.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pydantic import ValidationError

from events.envelope import CONTENT_TYPE, SPEC_VERSION, Envelope
from events.registry import (
    EventSpec,
    IntegrationEvent,
    UnknownEventType,
    UnknownEventVersion,
    registry,
)

Headers = list[tuple[str, bytes]]
# The build that wrote the event: a real CloudEvents extension attribute (an SDK reads it as
# ``producerversion``), unlike the plain headers below. Optional when decoding.
PRODUCER_VERSION = "ce_producerversion"
EXTENSION_HEADERS = ("correlation_id", "causation_id", "aggregate_version", "traceparent")
# (plain header, the CloudEvents extension attribute an SDK sends instead), computed once.
_EXTENSION_FALLBACKS = tuple((name, "ce_" + name.replace("_", "")) for name in EXTENSION_HEADERS)
T = TypeVar("T")
# Bounds of the numbers parsed out of headers: a version has a few digits, an aggregate
# version fits a bigint column.
MAX_VERSION_DIGITS = 6
MAX_COUNT_DIGITS = 19
MAX_BIGINT = 2**63 - 1
MAX_IDENTIFIER_CHARS = 200


@dataclass(frozen=True)
class KafkaRecord:
    """What the producer sends: topic, key, value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: Headers


class PoisonReason(enum.StrEnum):
    """Why a record can never be handled, whatever the number of retries."""

    CANNOT_DECODE = "cannot_decode"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_VERSION = "unknown_version"
    INVALID_PAYLOAD = "invalid_payload"


class PoisonMessage(Exception):
    """A record that must go to the dead-letter topic at once, with ``reason`` and ``detail``."""

    def __init__(self, reason: PoisonReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class DecodedEvent:
    """A consumed record: its envelope and the typed event."""

    envelope: Envelope
    event: IntegrationEvent


def encode_headers(envelope: Envelope) -> Headers:
    """The Kafka headers of an envelope (values are UTF-8 strings)."""
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(envelope.event_id),
        "ce_type": envelope.ce_type,
        "ce_source": envelope.source,
        "ce_subject": envelope.key,
        "ce_time": envelope.time.isoformat(),
        "content-type": CONTENT_TYPE,
        "correlation_id": envelope.correlation_id,
        "aggregate_version": str(envelope.aggregate_version),
        "traceparent": envelope.traceparent,
    }
    if envelope.causation_id:
        headers["causation_id"] = envelope.causation_id
    if envelope.producer_version:
        headers[PRODUCER_VERSION] = envelope.producer_version
    return [(name, value.encode()) for name, value in headers.items()]


def encode_record(envelope: Envelope) -> KafkaRecord:
    """The record the relay publishes for ``envelope``."""
    return KafkaRecord(
        topic=envelope.topic,
        key=envelope.key.encode(),
        value=envelope.payload,
        headers=encode_headers(envelope),
    )


def decode_record(
    value: bytes | None, headers: Sequence[tuple[str, bytes]], topic: str = ""
) -> DecodedEvent:
    """Decode a consumed record, or raise :class:`PoisonMessage` saying precisely why not.

    The payload is validated against the version named by ``ce_type`` and then upcast to the
    newest version on that version's topic, so ``event`` is always the newest model while
    ``envelope.version`` (and ``envelope.payload``) still tell what was on the wire.
    """
    attrs = _header_map(headers)
    spec, newest = _specs_of(attrs.get("ce_type"))
    if value is None:
        raise PoisonMessage(PoisonReason.CANNOT_DECODE, "the record has no value")
    wire_event = _validate(spec, value)
    envelope = _envelope(spec, attrs, value, topic)
    event = wire_event if newest is spec else _upcast(spec, newest, wire_event)
    return DecodedEvent(envelope=envelope, event=event)


def _specs_of(ce_type: str | None) -> tuple[EventSpec, EventSpec]:
    """The version ``ce_type`` names and the newest it upcasts to, or :class:`PoisonMessage`.

    The registry answers a well-spelled type from a cache; only anything else (a typo, an
    unknown type or version, "v02") is parsed, and so explained precisely.
    """
    known = registry.by_ce_type(ce_type) if ce_type else None
    if known is not None:
        return known
    spec = _lookup(*_parse_type(ce_type))
    return spec, registry.newest_of(spec)


def _lookup(event_type: str, version: int) -> EventSpec:
    try:
        return registry.lookup(event_type, version)
    except UnknownEventVersion as exc:
        raise PoisonMessage(PoisonReason.UNKNOWN_VERSION, str(exc)) from None
    except UnknownEventType as exc:
        raise PoisonMessage(PoisonReason.UNKNOWN_TYPE, str(exc)) from None


def _validate(spec: EventSpec, value: bytes) -> IntegrationEvent:
    try:
        return spec.model.model_validate_json(value)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise PoisonMessage(PoisonReason.CANNOT_DECODE, "the value is not JSON") from None
        detail = f"{spec.ce_type}: {_summarize(exc)}"
        raise PoisonMessage(PoisonReason.INVALID_PAYLOAD, detail) from None


def _upcast(spec: EventSpec, newest: EventSpec, event: IntegrationEvent) -> IntegrationEvent:
    """``event`` (of ``spec``) as ``newest``: its payload upcast step by step, validated again.

    Only for an older version: the newest one is used as validated, never dumped again.
    """
    newest, payload = registry.upcast(spec, event.model_dump(mode="json"))
    try:
        return newest.model.model_validate(payload)
    except ValidationError as exc:
        # An upcaster bug, not a bad record; still a record this code can never handle.
        detail = f"upcasting {spec.ce_type} to v{newest.version} failed: {_summarize(exc)}"
        raise PoisonMessage(PoisonReason.INVALID_PAYLOAD, detail) from None


def _envelope(spec: EventSpec, attrs: dict[str, str], value: bytes, topic: str) -> Envelope:
    try:  # one guarded block for the three parsed headers: this runs for every record
        event_id = uuid.UUID(attrs["ce_id"])
        time = datetime.fromisoformat(attrs["ce_time"])
        aggregate_version = parse_count(attrs["aggregate_version"])
    except (KeyError, ValueError):
        _explain_headers(attrs)  # raises, naming the first header that is missing or malformed
        raise
    return Envelope(
        event_id=event_id,
        event_type=spec.event_type,
        version=spec.version,
        topic=topic or spec.topic,
        key=attrs.get("ce_subject", ""),
        source=attrs.get("ce_source", ""),
        time=time,
        aggregate_version=aggregate_version,
        correlation_id=_identifier(attrs.get("correlation_id")) or str(uuid.uuid4()),
        causation_id=_identifier(attrs.get("causation_id")),
        traceparent=attrs.get("traceparent", ""),
        payload=value,
        producer_version=_identifier(attrs.get(PRODUCER_VERSION)),
    )


def _identifier(raw: str | None) -> str | None:
    """A correlation or causation id fit for logs and text columns, else None: these only
    trace, so a malformed one (huge, or with control characters such as NUL, which PostgreSQL
    text refuses) is dropped rather than failing the record."""
    if raw is None or len(raw) > MAX_IDENTIFIER_CHARS or not raw.isprintable():
        return None
    return raw


def _header_map(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    try:
        attrs = {name: raw.decode() for name, raw in headers if raw is not None}
    except UnicodeDecodeError:
        raise PoisonMessage(PoisonReason.CANNOT_DECODE, "a header is not UTF-8") from None
    # A producer using a CloudEvents SDK can only send extension *attributes* (``ce_`` +
    # lowercase letters and digits); accept those as a fallback for our plain headers.
    for name, extension in _EXTENSION_FALLBACKS:
        if name not in attrs and extension in attrs:
            attrs[name] = attrs[extension]
    return attrs


def _parse_type(ce_type: str | None) -> tuple[str, int]:
    if not ce_type:
        raise PoisonMessage(PoisonReason.CANNOT_DECODE, "the ce_type header is missing")
    prefix, _, rest = ce_type.partition(".")
    event_type, _, version = rest.rpartition(".v")
    if prefix != "orderflow" or not event_type or not _is_count(version, MAX_VERSION_DIGITS):
        shown = ce_type if len(ce_type) <= 200 else ce_type[:200] + "…"
        raise PoisonMessage(
            PoisonReason.UNKNOWN_TYPE,
            f"ce_type {shown!r} is not of the form orderflow.<domain>.<Event>.v<N>",
        )
    return event_type, int(version)


def parse_count(raw: str) -> int:
    """A non-negative integer that fits a PostgreSQL ``bigint``, in ASCII digits only.

    ``str.isdigit()`` is not enough: it accepts "²" and other digits that ``int()`` refuses,
    and ``int()`` refuses more than 4,300 digits; both must read as malformed, not crash.
    """
    if not _is_count(raw, MAX_COUNT_DIGITS) or int(raw) > MAX_BIGINT:
        raise ValueError(f"not a count: {raw[:40]!r}")
    return int(raw)


def _is_count(raw: str, max_digits: int) -> bool:
    return 0 < len(raw) <= max_digits and raw.isascii() and raw.isdigit()


def _explain_headers(attrs: dict[str, str]) -> None:
    """Raise :class:`PoisonMessage` for the first parsed header that is missing or malformed."""
    _parse(uuid.UUID, attrs, "ce_id")
    _parse(datetime.fromisoformat, attrs, "ce_time")
    _parse(parse_count, attrs, "aggregate_version")


def _parse(parse: Callable[[str], T], attrs: dict[str, str], name: str) -> T:
    raw = attrs.get(name)
    if raw is None:
        raise PoisonMessage(PoisonReason.CANNOT_DECODE, f"the {name} header is missing")
    try:
        return parse(raw)
    except ValueError:
        shown = raw if len(raw) <= 200 else raw[:200] + "…"
        detail = f"the {name} header {shown!r} is malformed"
        raise PoisonMessage(PoisonReason.CANNOT_DECODE, detail) from None


def _summarize(exc: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)

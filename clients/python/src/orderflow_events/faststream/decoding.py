"""The pieces FastStream calls for every record: the decoder, filters and the metadata."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Annotated, Any

from faststream import Depends, StreamMessage

from orderflow_events.base import Event
from orderflow_events.cloudevents import decode_event
from orderflow_events.errors import Reason, UndecodableRecord
from orderflow_events.metadata import EventMetadata, read_metadata
from orderflow_events.registry import parse_ce_type

# The decoder reads the metadata anyway (a malformed header must be a dead letter even for a
# handler that never asks for it) and leaves it here for the Metadata dependency, which runs
# next in the same task. Not FastStream's Context: resolving one runs a synchronous function in
# a worker thread, which cost more than everything else done per record (bench/subscriber.py).
_CURRENT: ContextVar[EventMetadata] = ContextVar("orderflow_event_metadata")
_EVENT_TYPES: dict[str, str] = {}


async def decode_message(message: StreamMessage[Any]) -> Event:
    """FastStream decoder: the typed event, upcast; raises ``UndecodableRecord``."""
    event = decode_event(message.body, message.headers)
    _CURRENT.set(_metadata_of(message))
    return event


async def skip_body(message: StreamMessage[Any]) -> None:
    """FastStream decoder for records a subscription does not handle: nothing to decode."""
    del message


async def event_metadata() -> EventMetadata:
    """The metadata of the record being handled (a FastStream dependency).

    Async on purpose, as are the filters: FastStream runs synchronous callables in a worker
    thread.
    """
    try:
        return _CURRENT.get()
    except LookupError:
        raise RuntimeError(
            "event metadata exists only in handlers registered with EventRouter.subscriber"
        ) from None


Metadata = Annotated[EventMetadata, Depends(event_metadata, cast=False)]
"""Annotate a handler parameter with this to receive the :class:`EventMetadata`."""


def event_type_of(headers: Mapping[str, str]) -> str | None:
    """The event type a record's ``ce_type`` names, or None when it names none."""
    ce_type = headers.get("ce_type")
    if ce_type is None:
        return None
    event_type = _EVENT_TYPES.get(ce_type)
    if event_type is None:
        _, _, rest = ce_type.partition(".")
        event_type, _, version = rest.rpartition(".v")
        if not ce_type.startswith("orderflow.") or not version.isdigit() or not event_type:
            return None
        if len(_EVENT_TYPES) < 1024:  # bounded: a flood of odd types must not grow memory
            _EVENT_TYPES[ce_type] = event_type
    return event_type


def is_event_type(event_type: str) -> Callable[[StreamMessage[Any]], Awaitable[bool]]:
    """A FastStream filter: records of ``event_type``, whatever their version."""

    async def matches(message: StreamMessage[Any]) -> bool:
        return event_type_of(message.headers) == event_type

    matches.__name__ = f"is_{event_type.replace('.', '_')}"
    return matches


def _metadata_of(message: StreamMessage[Any]) -> EventMetadata:
    raw = message.raw_message
    return read_metadata(
        message.headers,
        key=getattr(raw, "key", None),
        topic=getattr(raw, "topic", ""),
        partition=getattr(raw, "partition", None),
        offset=getattr(raw, "offset", None),
    )


def is_none_of(event_types: set[str]) -> Callable[[StreamMessage[Any]], Awaitable[bool]]:
    """A FastStream filter: records whose type is not in ``event_types`` (read when called)."""

    async def unhandled(message: StreamMessage[Any]) -> bool:
        return event_type_of(message.headers) not in event_types

    return unhandled


def check_ce_type(headers: Mapping[str, str]) -> None:
    """Raise ``UndecodableRecord`` unless ``ce_type`` is of orderflow's form."""
    ce_type = headers.get("ce_type")
    if ce_type is None:
        raise UndecodableRecord(Reason.CANNOT_DECODE, "the ce_type header is missing")
    parse_ce_type(ce_type)

"""The message context of the current request or consumed message.

The correlation id lives in structlog's context variables, so every log line and every
event written in the same task carries the same id without passing it around.
"""

from __future__ import annotations

import re
import uuid

import structlog


def bind_message_context(correlation_id: str | None, causation_id: str | None = None) -> str:
    """Bind the correlation (and causation) id for this task; returns the correlation id.

    A missing correlation id starts a new conversation with a fresh one.
    """
    correlation_id = correlation_id or str(uuid.uuid4())
    if causation_id is None:
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        structlog.contextvars.unbind_contextvars("causation_id")
    else:  # one call, not two: consumers bind this for every record
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id, causation_id=causation_id
        )
    return correlation_id


def current_correlation_id() -> str:
    """The bound correlation id, or a fresh one when nothing is bound."""
    value = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(value) if value else str(uuid.uuid4())


def current_causation_id() -> str | None:
    """The id of the event that caused the current work, if any."""
    value = structlog.contextvars.get_contextvars().get("causation_id")
    return str(value) if value else None


def bind_traceparent(traceparent: str | None) -> None:
    """Bind the W3C ``traceparent`` of the incoming request or message, if it is well formed."""
    if traceparent and _is_traceparent(traceparent):
        structlog.contextvars.bind_contextvars(traceparent=traceparent)
    else:
        structlog.contextvars.unbind_contextvars("traceparent")


def bind_consumed_message(correlation_id: str, causation_id: str, traceparent: str) -> None:
    """Bind what a consumed message's handler logs and writes with: ``bind_message_context``
    and ``bind_traceparent`` together, in one call when the ``traceparent`` is well formed
    (the usual case: this runs for every consumed record)."""
    if traceparent and _is_traceparent(traceparent):
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id, causation_id=causation_id, traceparent=traceparent
        )
        return
    bind_message_context(correlation_id, causation_id)
    structlog.contextvars.unbind_contextvars("traceparent")


def child_traceparent() -> str:
    """A ``traceparent`` for a new event: same trace as the bound one, new span id."""
    parent = structlog.contextvars.get_contextvars().get("traceparent")
    trace_id = str(parent).split("-")[1] if parent else uuid.uuid4().hex
    return f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"


# Four dash-separated lowercase-hex fields, the trace id 32 and the span id 16 long. One
# compiled match instead of a character-by-character check: it runs for every consumed record.
_TRACEPARENT = re.compile(r"[0-9a-f]*-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]*")


def _is_traceparent(value: str) -> bool:
    return _TRACEPARENT.fullmatch(value) is not None

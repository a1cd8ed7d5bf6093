"""Spans through the OpenTelemetry API: the one module the project's code records them with.

Tracing is off unless the process hands a tracer provider to :func:`start` (the composition
root does, when the ``OTEL_*`` variables ask for it: ``orderflow.telemetry``). While it is off,
every function here returns after reading one module attribute: the relay and the consumer
runtime call them per record, and nothing is allocated for a span nobody records.

The spans follow OpenTelemetry's messaging conventions. Writing an event to the outbox is the
message's *creation*: a ``create <topic>`` span (PRODUCER), child of whatever span is current,
whose context becomes the event's ``traceparent``; the relay never changes it. Publishing
(the relay, retry tiers, dead letters, replays) is a ``publish <topic>`` span (CLIENT, since its
context is not the creation context) that *links* to the creation context: one relay batch
carries the records of many requests, so the link, not a parent, is the honest relation.
Handling a record is a ``process <topic>`` span (CONSUMER), the *child* of the record's
``traceparent``: one checkout is one trace that reaches every consumer group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

Attributes = Mapping[str, AttributeValue]

_INSTRUMENTATION = "orderflow"
_PROPAGATOR = TraceContextTextMapPropagator()


class _State:
    """The tracer while tracing is on; None while it is off (the one check on every path)."""

    tracer: trace.Tracer | None = None


_state = _State()


def start(provider: TracerProvider) -> None:
    """Record spans with ``provider`` from now on."""
    _state.tracer = provider.get_tracer(_INSTRUMENTATION)


def stop() -> None:
    """Record no more spans (tests switch tracing off again; processes never do)."""
    _state.tracer = None


def tracing_on() -> bool:
    """Whether spans are recorded in this process."""
    return _state.tracer is not None


def creation_traceparent(topic: str, attributes: Attributes) -> str | None:
    """Record the creation of one message for ``topic`` and return its ``traceparent``.

    None while tracing is off: the caller keeps its own trace context then.
    """
    tracer = _state.tracer
    if tracer is None:
        return None
    span = tracer.start_span(f"create {topic}", kind=SpanKind.PRODUCER, attributes=attributes)
    span.end()
    return traceparent_of(span)


@contextmanager
def processing(
    topic: str, traceparent: str | None, attributes: Attributes
) -> Iterator[Span | None]:
    """A ``process <topic>`` span (CONSUMER) around handling one record, the child of the
    record's ``traceparent``; yields None and records nothing while tracing is off."""
    tracer = _state.tracer
    if tracer is None:
        yield None
        return
    parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else None
    with tracer.start_as_current_span(
        f"process {topic}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        yield span


@contextmanager
def child_of(name: str, traceparent: str | None, attributes: Attributes) -> Iterator[None]:
    """An INTERNAL span ``name``, the child of ``traceparent`` (an after-commit effect of a
    record: its partner calls then join the record's trace); nothing while tracing is off."""
    tracer = _state.tracer
    if tracer is None:
        yield
        return
    parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else None
    with tracer.start_as_current_span(name, context=parent, attributes=attributes):
        yield


def record_publish(
    topic: str,
    creation: str | None,
    attributes: Attributes,
    *,
    started_ns: int | None = None,
    ended_ns: int | None = None,
    error: str | None = None,
) -> None:
    """Record one finished ``publish <topic>`` span (CLIENT) linked to the message's creation
    context ``creation`` (its ``traceparent``); ``error`` describes a refusal. Nothing while
    tracing is off.

    Recorded after the broker answered (times in ``time.time_ns()``): the send path itself
    stays free of tracing work.
    """
    tracer = _state.tracer
    if tracer is None:
        return
    span = tracer.start_span(
        f"publish {topic}",
        context=_ROOT,
        kind=SpanKind.CLIENT,
        attributes=attributes,
        links=_links(creation),
        start_time=started_ns,
    )
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, error))
    span.end(end_time=ended_ns)


def traceparent_header(headers: Iterable[tuple[str, bytes | None]] | None) -> str | None:
    """The ``traceparent`` among a Kafka record's headers, or None."""
    for name, value in headers or ():
        if name == "traceparent" and value is not None:
            try:
                return bytes(value).decode("ascii")
            except UnicodeDecodeError:
                return None
    return None


@contextmanager
def linked_span(name: str, creation: str | None, attributes: Attributes) -> Iterator[None]:
    """A span ``name`` in the current trace linked to a message's creation context (an
    operator's replay of a dead letter); nothing while tracing is off."""
    tracer = _state.tracer
    if tracer is None:
        yield
        return
    with tracer.start_as_current_span(
        name, kind=SpanKind.CLIENT, attributes=attributes, links=_links(creation)
    ):
        yield


def current_ids() -> tuple[str, str] | None:
    """The trace and span id of the current span as hex, or None (none, or tracing off)."""
    if _state.tracer is None:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def traceparent_of(span: Span) -> str:
    """The W3C ``traceparent`` of ``span``."""
    context = span.get_span_context()
    return (
        f"00-{trace.format_trace_id(context.trace_id)}-"
        f"{trace.format_span_id(context.span_id)}-{context.trace_flags:02x}"
    )


def _links(traceparent: str | None) -> list[Link]:
    if not traceparent:
        return []
    context = trace.get_current_span(_PROPAGATOR.extract({"traceparent": traceparent}))
    span_context = context.get_span_context()
    return [Link(span_context)] if span_context.is_valid else []


# A publish span starts a trace of its own: a relay batch belongs to no one request, and the
# batch task may still hold the context of whatever ran before it.
_ROOT = trace.set_span_in_context(trace.INVALID_SPAN)

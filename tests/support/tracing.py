"""Spans recorded in memory while a test runs (the SDK's own in-memory exporter)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import format_span_id, format_trace_id

from orderflow.telemetry import install, resource_for, uninstall


@contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, until the block ends (then off again, uninstrumented)."""
    exporter = InMemorySpanExporter()
    install([SimpleSpanProcessor(exporter)], resource_for("test", {}))
    try:
        yield exporter
    finally:
        uninstall()


def traceparent(span: ReadableSpan) -> str:
    """The W3C ``traceparent`` of a finished span."""
    context = span.context
    ids = f"{format_trace_id(context.trace_id)}-{format_span_id(context.span_id)}"
    return f"00-{ids}-{context.trace_flags:02x}"

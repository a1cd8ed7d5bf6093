"""``--traced``: run a benchmark with tracing on, as a process exporting to a collector would.

The SDK's batch processor hands the spans to an exporter that drops them: what is measured is
what the process itself pays (the spans, their attributes and the queue), not a collector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from orderflow.telemetry import install, resource_for, uninstall


class _Dropped(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


@contextmanager
def tracing_if(traced: bool) -> Iterator[None]:
    """Tracing on for the block when ``traced``; nothing at all otherwise."""
    if not traced:
        yield
        return
    install([BatchSpanProcessor(_Dropped())], resource_for("bench", {}))
    try:
        yield
    finally:
        uninstall()

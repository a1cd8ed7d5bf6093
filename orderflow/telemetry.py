"""Turning tracing on from the standard ``OTEL_*`` variables: the SDK, its exporter, the
resource, and the HTTP instrumentations (server spans for the API, client spans with
``traceparent`` for the payment provider and the carrier).

Off by default. On when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp`` or ``console``) or
an OTLP endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``),
unless ``OTEL_SDK_DISABLED=true`` or the exporter is ``none``. The OTLP exporter (HTTP/protobuf)
reads its own variables (endpoint, headers, timeout, compression) as the SDK defines them.
While off, no SDK provider exists and nothing is instrumented (:mod:`foundation.tracing`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

from foundation import tracing
from orderflow.build import current_build
from orderflow.settings.tracing import wanted_exporters

# Probes and scrapes would be most of the spans and tell nothing.
_NOT_TRACED = "/healthz,/readyz,/metrics"
_OTLP_PROTOCOLS = ("http/protobuf", "")


class TracingMisconfigured(ValueError):
    """The ``OTEL_*`` variables ask for something this build cannot do."""


def resource_for(role: str, env: Mapping[str, str]) -> Resource:
    """The process's resource: ``service.name`` per role (``OTEL_SERVICE_NAME`` wins, as the
    SDK defines), the build's version and commit, and ``OTEL_RESOURCE_ATTRIBUTES``."""
    build = current_build()
    ours = {
        "service.name": f"orderflow-{role}",
        "service.namespace": "orderflow",
        "service.version": build.version,
        "vcs.ref.head.revision": build.commit,
    }
    if env.get("OTEL_SERVICE_NAME"):
        ours["service.name"] = env["OTEL_SERVICE_NAME"]
    # Resource.create merges OTEL_RESOURCE_ATTRIBUTES under the attributes given here.
    return Resource.create(ours)


def start_tracing(role: str, env: Mapping[str, str] | None = None) -> bool:
    """Turn tracing on for this process if the environment asks; returns whether it did.

    Raises :class:`TracingMisconfigured` for an exporter or protocol this build lacks.
    """
    env = os.environ if env is None else env
    names = wanted_exporters(env)
    if not names:
        return False
    exporters = [_exporter(name, env) for name in names]
    provider = install([BatchSpanProcessor(e) for e in exporters], resource_for(role, env))
    trace.set_tracer_provider(provider)  # for libraries that trace through the global API
    return True


def install(processors: list[SpanProcessor], resource: Resource) -> TracerProvider:
    """Record spans into ``processors`` and instrument the HTTP clients (tests pass an
    in-memory exporter's processor here)."""
    provider = TracerProvider(resource=resource)
    for processor in processors:
        provider.add_span_processor(processor)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    tracing.start(provider)
    _installed.append(provider)
    return provider


def uninstall() -> None:
    """Stop recording and undo the instrumentation (tests only: a process traces until exit)."""
    tracing.stop()
    HTTPXClientInstrumentor().uninstrument()
    # Instrumenting an app also wraps Starlette's BackgroundTask for every app: undo both.
    while _instrumented:
        FastAPIInstrumentor.uninstrument_app(_instrumented.pop())
    while _installed:
        _installed.pop().shutdown()


def instrument_app(app: FastAPI) -> None:
    """A server span per request of ``app`` while tracing is on (before its first request)."""
    if not _installed:
        return
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_installed[-1],
        excluded_urls=_NOT_TRACED,
        exclude_spans=["receive", "send"],  # one span per request, not one per ASGI message
    )
    _instrumented.append(app)


def _exporter(name: str, env: Mapping[str, str]) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    if name != "otlp":
        raise TracingMisconfigured(
            f"OTEL_TRACES_EXPORTER={name!r} is not supported; use otlp, console or none"
        )
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", ""
    )
    if protocol not in _OTLP_PROTOCOLS:
        raise TracingMisconfigured(
            f"OTLP protocol {protocol!r} is not supported; orderflow exports http/protobuf "
            "(unset OTEL_EXPORTER_OTLP_PROTOCOL or set it to http/protobuf)"
        )
    return OTLPSpanExporter()


_installed: list[TracerProvider] = []
_instrumented: list[FastAPI] = []

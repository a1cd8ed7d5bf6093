"""Tracing: off by default, on from the OTEL_* variables; spans, contexts and log ids."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from starlette.background import BackgroundTask

from events import bind_message_context
from events.context import bind_traceparent
from events.envelope import new_envelope
from events.schemas.catalog import ProductCreated
from foundation import tracing
from orderflow.build import current_build
from orderflow.logging import configure_logging
from orderflow.settings.tracing import wanted_exporters
from orderflow.telemetry import TracingMisconfigured, instrument_app, resource_for, start_tracing
from tests.support.tracing import recorded_spans

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_PARENT = f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("env", "wanted"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "console, otlp"}, ["console", "otlp"]),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "TRUE"}, []),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "false"}, ["console"]),
    ],
)
def test_tracing_is_off_unless_the_otel_variables_ask_for_it(
    env: dict[str, str], wanted: list[str]
) -> None:
    assert wanted_exporters(env) == wanted


def test_without_otel_variables_nothing_is_installed() -> None:
    assert start_tracing("api", {}) is False
    assert not tracing.tracing_on()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "'zipkin'"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "'grpc'"),
    ],
)
def test_an_exporter_this_build_lacks_is_a_clear_error(env: dict[str, str], named: str) -> None:
    with pytest.raises(TracingMisconfigured, match=named):
        start_tracing("api", env)
    assert not tracing.tracing_on()


def test_the_resource_names_the_role_the_version_and_the_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging")
    attributes = resource_for("consumer-search", {}).attributes
    build = current_build()
    assert attributes["service.name"] == "orderflow-consumer-search"
    assert attributes["service.version"] == build.version
    assert attributes["vcs.ref.head.revision"] == build.commit
    assert attributes["deployment.environment.name"] == "staging"
    renamed = resource_for("api", {"OTEL_SERVICE_NAME": "shop-orders"}).attributes
    assert renamed["service.name"] == "shop-orders"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recorded_spans() as exporter:
        yield exporter


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def _event() -> ProductCreated:
    example = ProductCreated.model_json_schema()["examples"][0]
    return ProductCreated.model_validate(example)


def test_while_off_an_event_keeps_the_bound_trace_and_logs_carry_no_trace_ids(
    log_lines: io.StringIO,
) -> None:
    bind_message_context("c-1")
    bind_traceparent(CLIENT_PARENT)
    envelope = new_envelope(_event(), aggregate_version=1)
    structlog.get_logger("t").info("written")
    assert envelope.traceparent.split("-")[1] == CLIENT_TRACE
    assert envelope.traceparent != CLIENT_PARENT  # a span id of its own, as before
    (line,) = [json.loads(row) for row in log_lines.getvalue().splitlines()]
    assert "trace_id" not in line
    assert "span_id" not in line


def test_an_event_written_under_a_span_carries_its_create_span_as_traceparent(
    spans: InMemorySpanExporter, log_lines: io.StringIO
) -> None:
    with tracing.processing("orders", CLIENT_PARENT, {}) as handling:
        assert handling is not None
        envelope = new_envelope(_event(), aggregate_version=1)
        structlog.get_logger("t").info("written")
    create, process = spans.get_finished_spans()
    assert process.kind is SpanKind.CONSUMER
    assert process.parent is not None
    assert format_span_id(process.parent.span_id) == "00f067aa0ba902b7"
    assert create.kind is SpanKind.PRODUCER
    assert create.name == f"create {envelope.topic}"
    assert create.parent is not None
    assert create.parent.span_id == process.context.span_id
    assert envelope.traceparent == tracing.traceparent_of(create)  # type: ignore[arg-type]
    (line,) = [json.loads(row) for row in log_lines.getvalue().splitlines()]
    assert line["trace_id"] == CLIENT_TRACE == format_trace_id(process.context.trace_id)
    assert line["span_id"] == format_span_id(process.context.span_id)


def test_a_publish_span_links_to_the_creation_context_and_starts_its_own_trace(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.processing("orders", None, {}):
        tracing.record_publish("orders", CLIENT_PARENT, {}, error="refused")
    published, _ = spans.get_finished_spans()
    assert published.parent is None
    assert published.kind is SpanKind.CLIENT
    (link,) = published.links
    assert format_trace_id(link.context.trace_id) == CLIENT_TRACE
    assert not published.status.is_ok


def test_a_malformed_traceparent_starts_a_new_trace_and_links_nothing(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.processing("orders", "00-zz-yy-01", {}):
        pass
    tracing.record_publish("orders", "garbage", {})
    process, published = spans.get_finished_spans()
    assert process.parent is None
    assert published.links == ()


def test_the_traceparent_header_is_read_from_kafka_headers() -> None:
    headers = [("ce_id", b"x"), ("traceparent", CLIENT_PARENT.encode())]
    assert tracing.traceparent_header(headers) == CLIENT_PARENT
    assert tracing.traceparent_header([("traceparent", b"\xff")]) is None
    assert tracing.traceparent_header(None) is None


def test_switching_tracing_off_undoes_every_instrumentation() -> None:
    original = BackgroundTask.__call__
    with recorded_spans():
        app = FastAPI()
        instrument_app(app)
        assert BackgroundTask.__call__ is not original  # wrapped for every app
    assert BackgroundTask.__call__ is original
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)

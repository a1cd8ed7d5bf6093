"""``orderflow api`` traces only when the OTEL_* variables ask: with the console exporter each
request is a server span naming the process's role and build, and its log line carries the
span's ids; with the SDK disabled nothing is exported and no log line carries a trace id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from orderflow.build import current_build
from tests.support.processes import free_port, orderflow_process

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _serve_one_request(database_url: str, log: Path, **otel: str) -> list[dict[str, Any]]:
    port = free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_LOG_FORMAT": "json",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        **otel,
    }
    with orderflow_process(["api"], env, log, port) as api:
        answer = httpx.get(f"{api.base_url}/openapi.json", headers={"traceparent": TRACEPARENT})
        assert answer.status_code == 200
    return _json_objects(log.read_text())


def test_the_console_exporter_prints_a_server_span_per_request(
    database_url: str, tmp_path: Path
) -> None:
    printed = _serve_one_request(database_url, tmp_path / "api.log", OTEL_TRACES_EXPORTER="console")
    (span,) = [o for o in printed if o.get("name") == "GET /openapi.json"]
    assert span["kind"] == "SpanKind.SERVER"
    assert span["context"]["trace_id"] == "0x4bf92f3577b34da6a3ce929d0e0e4736"  # the client's
    assert span["parent_id"] == "0x00f067aa0ba902b7"
    resource = span["resource"]["attributes"]
    build = current_build()
    assert resource["service.name"] == "orderflow-api"
    assert resource["service.version"] == build.version
    assert resource["vcs.ref.head.revision"] == build.commit
    (line,) = _request_lines(printed)
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert f"0x{line['span_id']}" == span["context"]["span_id"]


def test_with_the_sdk_disabled_nothing_is_exported_and_logs_carry_no_trace_ids(
    database_url: str, tmp_path: Path
) -> None:
    printed = _serve_one_request(
        database_url,
        tmp_path / "api.log",
        OTEL_TRACES_EXPORTER="console",
        OTEL_SDK_DISABLED="true",
    )
    assert not [o for o in printed if "context" in o], "a span was exported"
    (line,) = _request_lines(printed)
    assert "trace_id" not in line
    assert "span_id" not in line
    assert line["traceparent"] == TRACEPARENT  # the client's context is still logged


def _request_lines(printed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The log line of the request above (the readiness polls before it came without one)."""
    return [
        o
        for o in printed
        if o.get("event") == "http_request" and o.get("traceparent") == TRACEPARENT
    ]


def _json_objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object in ``text``: one-line log records and the exporter's indented spans."""
    decoder, found, at = json.JSONDecoder(), [], text.find("{")
    while at != -1:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        at = text.find("{", end)
    return found

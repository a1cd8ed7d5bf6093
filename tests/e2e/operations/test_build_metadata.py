"""Every signal of a running process names its build: /metrics and each JSON log line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from orderflow.settings import Settings
from tests.support.processes import free_port, orderflow_process

PROJECT = Path(__file__).resolve().parents[3]


def _head() -> str:
    done = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _build_info(metrics_url: str) -> str:
    exposed = httpx.get(metrics_url, timeout=5).text
    [line] = [row for row in exposed.splitlines() if row.startswith("orderflow_build_info{")]
    return line


def _json_lines(log: Path) -> list[dict[str, object]]:
    lines = [row for row in log.read_text().splitlines() if row.startswith("{")]
    return [json.loads(row) for row in lines]


def test_the_api_and_the_relay_expose_their_build_in_metrics_and_logs(
    settings: Settings, tmp_path: Path
) -> None:
    api, relay = free_port(), free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_HTTP_PORT": str(api),
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    commit = _head()
    relay_args = ["relay", "--metrics-port", str(relay)]
    with (
        orderflow_process(["api"], env, tmp_path / "api.log", api) as api_process,
        orderflow_process(relay_args, env, tmp_path / "relay.log", relay, health="/metrics"),
    ):
        for url in (api_process.metrics_url, f"http://127.0.0.1:{relay}/metrics"):
            line = _build_info(url)
            assert f'commit="{commit}"' in line, line
            assert 'version="' in line
            assert line.endswith(" 1.0")

    # The API logs its start and every request; an idle relay may log nothing at INFO.
    logged = _json_lines(tmp_path / "api.log")
    assert any(line["event"] == "http_request" for line in logged)
    assert {(line.get("version"), line.get("commit")) for line in logged} == {
        (logged[0]["version"], commit)
    }

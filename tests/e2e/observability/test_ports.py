"""A port already in use is the operator's to fix: every long-running command says so in one
line naming the port and how to choose another, and exits with status 2 before it connects to
anything — no traceback, no half-started Kafka client complaining on the way out."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.support.processes import ORDERFLOW, free_port

COMMANDS = {
    "run": ([], "ORDERFLOW_HTTP_PORT"),
    "api": ([], "ORDERFLOW_HTTP_PORT"),
    "relay": (["--metrics-port"], "--metrics-port"),
    "consume notifications": (["--metrics-port"], "--metrics-port"),
    "jobs": (["--metrics-port"], "--metrics-port"),
}


def _started_on(
    command: str, env: dict[str, str], *option: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ORDERFLOW, *command.split(), *option],
        env={**os.environ, "ORDERFLOW_HTTP_HOST": "127.0.0.1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line_naming(done: subprocess.CompletedProcess[str], port: int, setting: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0]
    assert setting.removeprefix("--").replace("-", " ") in lines[0].replace("-", " ")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_port_in_use_is_one_line_and_exit_2(command: str) -> None:
    option, setting = COMMANDS[command]
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = {"ORDERFLOW_HTTP_PORT": str(port)}
        done = _started_on(command, env, *option, *([str(port)] if option else []))
    _one_line_naming(done, port, setting)


@pytest.mark.parametrize("command", ["api", "run"])
@pytest.mark.parametrize("setting", ["ORDERFLOW_HTTP_METRICS_PORT", "--metrics-port"])
def test_the_apis_operations_port_in_use_is_one_line_and_exit_2(command: str, setting: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = {"ORDERFLOW_HTTP_PORT": str(free_port())}
        if setting.startswith("--"):
            done = _started_on(command, env, setting, str(port))
        else:
            done = _started_on(command, {**env, setting: str(port)})
    _one_line_naming(done, port, setting)
    assert "metrics" in done.stderr

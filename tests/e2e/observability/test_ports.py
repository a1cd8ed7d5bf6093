"""A port already in use is the operator's to fix: every long-running command says so in one
line naming the port and how to choose another, and exits with status 2 before it connects to
anything — no traceback, no half-started Kafka client complaining on the way out."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.support.processes import ORDERFLOW

COMMANDS = {
    "run": ([], "ORDERFLOW_HTTP_PORT"),
    "api": ([], "ORDERFLOW_HTTP_PORT"),
    "relay": (["--metrics-port"], "--metrics-port"),
    "consume notifications": (["--metrics-port"], "--metrics-port"),
    "jobs": (["--metrics-port"], "--metrics-port"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_port_in_use_is_one_line_and_exit_2(command: str) -> None:
    option, setting = COMMANDS[command]
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = {**os.environ, "ORDERFLOW_HTTP_HOST": "127.0.0.1", "ORDERFLOW_HTTP_PORT": str(port)}
        args = [ORDERFLOW, *command.split(), *option, *([str(port)] if option else [])]
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0]
    assert setting.removeprefix("--").replace("-", " ") in lines[0].replace("-", " ")

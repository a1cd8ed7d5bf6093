"""A private Prometheus server (Debian's ``prometheus`` package) on a free port, with its own
configuration and data under a temporary folder: never the system service on :9090."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.processes import free_port


@dataclass(frozen=True)
class Prometheus:
    """A running server: its address and the log it writes."""

    base_url: str
    log: Path

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar) ``expr`` gives now; a bad expression raises."""
        answer = httpx.get(f"{self.base_url}/api/v1/query", params={"query": expr}, timeout=30)
        body = answer.json()
        if body.get("status") != "success":
            raise AssertionError(f"{expr!r}: {body.get('errorType')}: {body.get('error')}")
        data = body["data"]
        return data["result"] if data["resultType"] == "vector" else [data]

    def rule_groups(self) -> list[dict[str, Any]]:
        """The rule groups the server loaded, with each rule's health and last error."""
        answer = httpx.get(f"{self.base_url}/api/v1/rules", timeout=30)
        return list(answer.json()["data"]["groups"])


def configuration(targets: Mapping[str, str], rules: Path, interval: str = "1s") -> dict[str, Any]:
    """A configuration scraping each ``job -> host:port`` every ``interval``, with ``rules``."""
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(rules)],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ],
    }


@contextmanager
def private_prometheus(root: Path, targets: Mapping[str, str], rules: Path) -> Iterator[Prometheus]:
    """Start Prometheus scraping ``targets``; stop it (SIGTERM) at the end."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make setup` installs Debian's prometheus package"
    config = root / "prometheus.yml"
    config.write_text(yaml.safe_dump(configuration(targets, rules)))
    port = free_port()
    log = root / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={root / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Prometheus(f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(process, server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _wait_ready(process: subprocess.Popen[bytes], server: Prometheus) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited:\n{server.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.base_url}/-/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"prometheus did not become ready:\n{server.log.read_text()[-3000:]}")


def metrics_problems(exposition: str) -> str:
    """What ``promtool check metrics`` says about ``exposition`` (empty when it is clean)."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make setup` installs Debian's prometheus package"
    checked = subprocess.run(
        [promtool, "check", "metrics"],
        input=exposition,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return (checked.stdout + checked.stderr).strip()

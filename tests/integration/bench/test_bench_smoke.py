"""Benchmarks cannot rot: every one runs as documented, at a tiny size, and the report is
written from what they printed. No figure is asserted (the machine is shared and noisy)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from devtools.infrastructure import Infrastructure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.timeout(480)
async def test_every_benchmark_runs_and_the_report_is_written(
    infrastructure: Infrastructure, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": infrastructure.database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka_bootstrap_servers,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bench", "report", "--smoke", "--output", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=460,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "benchmarks" / "results.json").read_text())
    assert sorted(results) == ["checkout", "consumer", "intake", "login", "relay", "subscriber"]
    page = (tmp_path / "benchmarks.md").read_text()
    rows = (
        "relay, ",
        "consumer runtime, ",
        "consumer runtime, 0.3k records, 2 processes, 4 partitions",
        "checkout, concurrency",
        "subscriber kit, ",
        "Kafka intake, ",
        "log-in, ",
    )
    for row in (*rows, "relay commit → ack"):
        assert f"| {row}" in page
    for chart in ("throughput.png", "latency.png"):
        assert (tmp_path / "benchmarks" / chart).read_bytes().startswith(PNG_SIGNATURE)
        assert f"(benchmarks/{chart})" in page
    # A shared broker keeps every topic: the benchmarks delete theirs.
    (relay,), (consumer,) = results["relay"], results["consumer"]
    created = {s["topic"] for s in relay["scenarios"].values()} | {consumer["topic"]}
    left = await topics(infrastructure.kafka_bootstrap_servers)
    assert created.isdisjoint(left)
    assert not [t for t in left if t.startswith(consumer["topic"])]  # the scale-out's topics
    # Scaled out, both processes of the group had partitions and every record was handled (a
    # rebalance mid-run could hand a batch rolled back in one process to the other: at least).
    (scaled,) = consumer["scaling"]["rounds"]
    handled = [p["records"] for p in scaled["n_processes"]["per_process"]]
    assert len(handled) == 2
    assert all(handled)
    assert sum(handled) >= consumer["records"]


async def topics(bootstrap_servers: str) -> set[str]:
    """Every topic on the broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_a_wrong_command_is_one_message_and_a_non_zero_exit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "reprot"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice: 'reprot'" in result.stderr
    assert "Traceback" not in result.stderr

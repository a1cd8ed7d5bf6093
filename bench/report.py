"""Run every benchmark as documented and write ``docs/benchmarks.md`` with its charts.

The full run takes several minutes and wants a machine as quiet as possible; ``--smoke``
runs every benchmark at a tiny size at once (seconds) to show that each still works, and
writes the same report from those (meaningless) figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.charts import latency_chart, throughput_chart
from bench.markdown import render
from bench.suite import SUITE, Benchmark, Document, Figures

FULL_TIMEOUT_SECONDS = 3600
SMOKE_TIMEOUT_SECONDS = 180


class BenchmarkFailed(Exception):
    """A benchmark exited with an error or printed no JSON."""


@dataclass(frozen=True)
class Run:
    """How the report was made."""

    smoke: bool
    started: datetime
    load_before: tuple[float, ...]
    load_after: tuple[float, ...]
    commit: str


async def _run_one(benchmark: Benchmark, smoke: bool) -> Document:
    arguments = benchmark.smoke if smoke else benchmark.full
    argv = [sys.executable, "-m", f"bench.{benchmark.name}", *arguments]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    timeout = SMOKE_TIMEOUT_SECONDS if smoke else FULL_TIMEOUT_SECONDS
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        raise BenchmarkFailed(f"{' '.join(argv[1:])} did not finish in {timeout} s") from None
    if process.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-15:]
        raise BenchmarkFailed(
            f"{' '.join(argv[1:])} exited with {process.returncode}:\n" + "\n".join(tail)
        )
    try:
        document: Document = json.loads(out)
    except json.JSONDecodeError as exc:
        raise BenchmarkFailed(f"{' '.join(argv[1:])} printed no JSON document: {exc}") from exc
    return document


async def _run_suite(smoke: bool) -> dict[str, list[Document]]:
    if smoke:  # at once: the figures mean nothing, the time does
        documents = await asyncio.gather(*(_run_one(b, smoke=True) for b in SUITE))
        return {b.name: [d] for b, d in zip(SUITE, documents, strict=True)}
    # One after the other, so that they do not measure each other.
    return {b.name: [await _run_one(b, smoke=False) for _ in range(b.runs)] for b in SUITE}


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


def write_report(output: Path, smoke: bool) -> Path:
    """Run the suite and write ``benchmarks.md``, its charts and the raw results under
    ``output``; returns the markdown file."""
    started, load_before = datetime.now(UTC), os.getloadavg()
    results = asyncio.run(_run_suite(smoke))
    run = Run(smoke, started, load_before, os.getloadavg(), _commit())
    figures = Figures()
    for benchmark in SUITE:
        read = benchmark.read(results[benchmark.name])
        figures.throughput += read.throughput
        figures.latency += read.latency
    charts = output / "benchmarks"
    charts.mkdir(parents=True, exist_ok=True)
    throughput_chart(figures.throughput, charts / "throughput.png")
    latency_chart(figures.latency, charts / "latency.png")
    (charts / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = output / "benchmarks.md"
    markdown.write_text(render(figures, _describe(run)))
    return markdown


def _describe(run: Run) -> dict[str, Any]:
    return {
        "kind": "smoke run (tiny sizes: the figures mean nothing)" if run.smoke else "full run",
        "date": run.started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": run.commit,
        "cpus": os.cpu_count(),
        "load": f"{run.load_before[0]:.1f} before, {run.load_after[0]:.1f} after",
    }

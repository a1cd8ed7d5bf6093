"""Every benchmark of ``python -m bench report``: how to run it, and how to read its JSON.

Each benchmark is a module ``bench.<name>`` that prints one JSON document. The report runs
it as documented (``python -m bench.<name> ...``) and reads its figures into rows of two
kinds: throughput against the baseline measured in the same run, and latency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.figures import Spread

Document = dict[str, Any]


@dataclass(frozen=True)
class ThroughputRow:
    """One benchmark's rate next to its same-run baseline."""

    benchmark: str
    unit: str
    value: Spread
    baseline_name: str
    baseline: Spread
    ratio: Spread
    aim: float | None


@dataclass(frozen=True)
class LatencyRow:
    """One benchmark's latency percentiles, in milliseconds."""

    benchmark: str
    p50_ms: Spread
    p99_ms: Spread
    aim_p50_ms: float | None = None
    aim_p99_ms: float | None = None
    note: str = ""


@dataclass
class Figures:
    """What one benchmark contributes to the report."""

    throughput: list[ThroughputRow] = field(default_factory=list)
    latency: list[LatencyRow] = field(default_factory=list)


@dataclass(frozen=True)
class Benchmark:
    """A benchmark module, its arguments for the full and the smoke run, and its reader."""

    name: str
    full: tuple[str, ...]
    smoke: tuple[str, ...]
    read: Callable[[list[Document]], Figures]
    # Separate invocations in a full run (for benchmarks without a ``--repeat`` of their own).
    runs: int = 1


def read_relay(documents: list[Document]) -> Figures:
    """Both scenarios: drain rate against the raw producer, commit -> ack at a steady rate."""
    (doc,) = documents
    figures = Figures()
    size = f"{doc['events'] / 1000:g}k x {doc['payload_bytes'] / 1000:g} KB"
    for name, scenario in doc["scenarios"].items():
        keys = f"{scenario['aggregates']:,} aggregates"
        figures.throughput.append(
            ThroughputRow(
                f"relay, {size}, {keys}",
                "events/s",
                Spread.from_summary(scenario["relay_events_per_s"]),
                "raw producer",
                Spread.from_summary(scenario["raw_events_per_s"]),
                Spread.from_summary(scenario["ratio"]),
                scenario.get("aim_ratio"),
            )
        )
        steady = scenario["steady"]
        stages = ", ".join(
            f"{stage} {steady[f'{stage}_p50_ms']['median']:g}"
            for stage in ("claim", "send", "ack", "mark")
        )
        figures.latency.append(
            LatencyRow(
                f"relay commit → ack at {doc['steady_rate']:,} events/s, {keys} ({name})",
                Spread.from_summary(steady["commit_to_ack_p50_ms"]),
                Spread.from_summary(steady["commit_to_ack_p99_ms"]),
                doc["aim_latency_ms"]["p50"],
                doc["aim_latency_ms"]["p99"],
                f"stages p50 (ms): {stages}",
            )
        )
    return figures


def read_consumer(documents: list[Document]) -> Figures:
    """Runtime rate against a raw consume loop, round by round; scaled out, when it was,
    N processes of one group against one process."""
    (doc,) = documents
    rounds = doc["rounds"]
    row = ThroughputRow(
        f"consumer runtime, {doc['records'] / 1000:g}k records, {doc['partitions']} partitions",
        "records/s",
        Spread.of([r["runtime_records_per_second"] for r in rounds]),
        "raw getmany loop",
        Spread.of([r["raw_records_per_second"] for r in rounds]),
        Spread.of([r["ratio"] for r in rounds]),
        doc.get("aim"),
    )
    figures = Figures(throughput=[row])
    if "scaling" in doc:
        figures.throughput.append(_scaling_row(doc["records"], doc["scaling"]))
    return figures


def _scaling_row(records: int, scaling: Document) -> ThroughputRow:
    rounds = scaling["rounds"]
    return ThroughputRow(
        f"consumer runtime, {records / 1000:g}k records, {scaling['processes']} processes, "
        f"{scaling['partitions']} partitions",
        "records/s",
        Spread.of([r["n_processes"]["records_per_second"] for r in rounds]),
        "1 process",
        Spread.of([r["one_process"]["records_per_second"] for r in rounds]),
        Spread.of([r["factor"] for r in rounds]),
        None,
    )


def read_checkout(documents: list[Document]) -> Figures:
    """Checkout against a one-INSERT endpoint, one figure per run."""
    checkout = [d["checkout"] for d in documents]
    floor = [d["floor_one_insert"] for d in documents]
    label = f"checkout, concurrency {documents[0]['concurrency']}"
    throughput = ThroughputRow(
        label,
        "requests/s",
        Spread.of([c["requests_per_second"] for c in checkout]),
        "one-INSERT endpoint",
        Spread.of([f["requests_per_second"] for f in floor]),
        Spread.of([d["throughput_ratio"] for d in documents]),
        0.5,
    )
    floor_p50 = Spread.of([f["p50_ms"] for f in floor]).median
    floor_p99 = Spread.of([f["p99_ms"] for f in floor]).median
    latency = LatencyRow(
        label,
        Spread.of([c["p50_ms"] for c in checkout]),
        Spread.of([c["p99_ms"] for c in checkout]),
        note=f"one-INSERT endpoint p50 {floor_p50:g} ms, p99 {floor_p99:g} ms",
    )
    return Figures(throughput=[throughput], latency=[latency])


def read_subscriber(documents: list[Document]) -> Figures:
    """The subscriber kit on FastStream against a plain FastStream subscriber."""
    (doc,) = documents
    rounds = doc["rounds"]
    row = ThroughputRow(
        f"subscriber kit, {doc['records'] / 1000:g}k records, {doc['ack_policy']}",
        "records/s",
        Spread.of([r["kit_per_s"] for r in rounds]),
        "plain FastStream subscriber",
        Spread.of([r["plain_per_s"] for r in rounds]),
        Spread.of([r["ratio"] for r in rounds]),
        None,
    )
    return Figures(throughput=[row])


def read_intake(documents: list[Document]) -> Figures:
    """Kafka intake's place-order handler against the runtime with a no-op handler."""
    (doc,) = documents
    rounds = doc["rounds"]
    row = ThroughputRow(
        f"Kafka intake, {doc['submissions']:,} submissions, {doc['partitions']} partitions",
        "submissions/s",
        Spread.of([r["intake_per_second"] for r in rounds]),
        "runtime with a no-op handler",
        Spread.of([r["baseline_per_second"] for r in rounds]),
        Spread.of([r["ratio"] for r in rounds]),
        doc.get("aim"),
    )
    return Figures(throughput=[row])


def read_login(documents: list[Document]) -> Figures:
    """Log-ins with the PostgreSQL rate limiter on against the same API with it off."""
    (doc,) = documents
    on, off = doc["per_round"]["on"], doc["per_round"]["off"]
    row = ThroughputRow(
        f"log-in, {doc['accounts']} accounts, concurrency {doc['concurrency']}, limiter on",
        "logins/s",
        Spread.of(on),
        "limiter off",
        Spread.of(off),
        Spread.of([a / b for a, b in zip(on, off, strict=True) if b]),
        None,
    )
    return Figures(throughput=[row])


SUITE = (
    Benchmark("relay", (), ("--smoke",), read_relay),
    Benchmark(
        "consumer",
        ("--processes", "2"),
        ("--records", "300", "--repeat", "1", "--processes", "2"),
        read_consumer,
    ),
    Benchmark("checkout", (), ("--smoke",), read_checkout, runs=3),
    Benchmark("subscriber", (), ("--records", "300", "--repeat", "1"), read_subscriber),
    Benchmark("intake", (), ("--submissions", "30", "--repeat", "1"), read_intake),
    Benchmark("login", (), ("--smoke",), read_login),
)

"""Summaries shared by the benchmarks: medians with their spread, histogram quantiles."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Histogram


def summary(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    """Median, min and max of ``values`` (one per round)."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


@dataclass(frozen=True)
class Spread:
    """A figure measured in several rounds: the median and the range around it."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The median and range of ``values``."""
        return cls(statistics.median(values), min(values), max(values))

    @classmethod
    def from_summary(cls, figures: dict[str, Any]) -> Spread:
        """From a :func:`summary` dictionary."""
        return cls(float(figures["median"]), float(figures["min"]), float(figures["max"]))


def buckets(histogram: Histogram) -> dict[float, float]:
    """Cumulative counts of ``histogram`` by upper bound (a snapshot)."""
    return {
        float(sample.labels["le"]): sample.value
        for metric in histogram.collect()
        for sample in metric.samples
        if sample.name.endswith("_bucket")
    }


def quantile(q: float, before: dict[float, float], after: dict[float, float]) -> float:
    """``histogram_quantile(q, ...)`` over the observations between two snapshots, as
    Prometheus interpolates it (linearly inside a bucket), in the histogram's unit."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] == 0:
        return float("nan")
    rank, lower, below = q * counts[-1], 0.0, 0.0
    for bound, cumulative in zip(bounds, counts, strict=True):
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, cumulative
    return lower

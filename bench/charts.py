"""The report's charts (PNG): throughput against the baseline, and latency percentiles."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

from bench.figures import Spread
from bench.suite import LatencyRow, ThroughputRow

ORDERFLOW, BASELINE, AIM = "#1f6fb4", "#b8b8b8", "#d62728"


def _errors(spreads: list[Spread]) -> list[list[float]]:
    return [[s.median - s.low for s in spreads], [s.high - s.median for s in spreads]]


def throughput_chart(rows: list[ThroughputRow], path: Path) -> None:
    """Each benchmark's ratio to its baseline (median, min-max bar), with its aim marked."""
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(rows) + 1.6))
    y = list(range(len(rows)))
    ratios = [row.ratio for row in rows]
    ax.barh(y, [r.median for r in ratios], xerr=_errors(ratios), color=ORDERFLOW, capsize=3)
    for i, row in enumerate(rows):
        if row.aim is not None:
            ax.plot([row.aim, row.aim], [i - 0.4, i + 0.4], color=AIM, linewidth=2)
        rate = f"{row.value.median:,.0f} vs {row.baseline.median:,.0f} {row.unit}"
        ax.text(ratios[i].high + 0.01, i, rate, va="center", fontsize=7)
    ax.axvline(1.0, color=BASELINE, linestyle="--", linewidth=1)
    ax.set_yticks(y, [row.benchmark for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("throughput / same-run baseline (median, bar = min-max; red = aim)")
    # Room right of the widest bar for its rates (a scale-out factor goes past 1).
    ax.set_xlim(0, max(1.3, *(r.high + 0.6 for r in ratios)))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_chart(rows: list[LatencyRow], path: Path) -> None:
    """p50 and p99 per benchmark on a log scale, with the aims marked."""
    fig, ax = plt.subplots(figsize=(9, 0.8 * len(rows) + 1.6))
    y = list(range(len(rows)))
    p50 = [row.p50_ms for row in rows]
    p99 = [row.p99_ms for row in rows]
    ax.barh([i - 0.2 for i in y], [s.median for s in p50], height=0.4, xerr=_errors(p50),
            color=ORDERFLOW, capsize=3, label="p50")  # fmt: skip
    ax.barh([i + 0.2 for i in y], [s.median for s in p99], height=0.4, xerr=_errors(p99),
            color=BASELINE, capsize=3, label="p99")  # fmt: skip
    for i, row in enumerate(rows):
        for offset, aim in ((-0.2, row.aim_p50_ms), (0.2, row.aim_p99_ms)):
            if aim is not None:
                ax.plot([aim, aim], [i + offset - 0.2, i + offset + 0.2], color=AIM, linewidth=2)
    ax.set_xscale("log")
    ax.set_yticks(y, [row.benchmark for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds, log scale (median of runs, bar = min-max; red = aim)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

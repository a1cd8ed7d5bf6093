"""Bulk histogram observation (relay latencies, consumer handler calls) counts like ``observe``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

from foundation.histograms import observe_many

BUCKETS = (0.001, 0.01, 0.025, 0.1, 1)
AMOUNTS = [0.0, 0.001, 0.0011, 0.01, 0.02, 0.025, 0.5, 1, 3, 30, 0.0005]


def samples(histogram: Histogram) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for metric in histogram.collect()
        for sample in metric.samples
        if not sample.name.endswith("_created")
    }


def test_observe_many_counts_like_observe_one_by_one() -> None:
    one_by_one = Histogram("one", "x", buckets=BUCKETS, registry=CollectorRegistry())
    bulk = Histogram("one", "x", buckets=BUCKETS, registry=CollectorRegistry())
    for amount in AMOUNTS:
        one_by_one.observe(amount)

    observe_many(bulk, AMOUNTS)
    observe_many(bulk, [])

    assert samples(bulk) == samples(one_by_one)

"""Observing many amounts in a Prometheus histogram at once (one increment per bucket hit)."""

from __future__ import annotations

import bisect
import collections
from collections.abc import Sequence

from prometheus_client import Histogram


def observe_many(histogram: Histogram, amounts: Sequence[float]) -> None:
    """``histogram.observe(a)`` for every ``a``, with one increment per bucket hit.

    The relay observes every row's commit -> ack latency and a consumer every handler call;
    ``observe`` walks the buckets and takes a lock per call (0.5-4 us each). This reads the
    histogram's bucket bounds and counters (prometheus_client internals, stable for years); a
    unit test checks that it matches ``observe``.
    """
    if not amounts:
        return
    bounds = histogram._upper_bounds
    hits = collections.Counter(bisect.bisect_left(bounds, amount) for amount in amounts)
    for index, count in hits.items():
        histogram._buckets[index].inc(count)
    histogram._sum.inc(sum(amounts))

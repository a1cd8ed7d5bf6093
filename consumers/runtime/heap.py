"""Keep the garbage collector from stalling a consumer process (measured, not folklore).

Records in flight (a poll, a batch waiting, a transaction) live long enough to be promoted to
the oldest generation, so with the default thresholds a full collection ran every ~200 ms of
backlog and took 20-45 ms each, walking every object the process had imported (modules,
models, SQLAlchemy metadata) plus every record in flight: about a fifth of the time, stalling
every partition. Two process-wide settings, applied once when the first runtime starts:

- what is alive then (the startup heap) lives as long as the process, so it is frozen: the
  collector skips it, and reference counting still frees it if it ever goes away;
- the youngest generation is collected after ``YOUNG_THRESHOLD`` allocations instead of 700,
  so a record's objects usually die (by reference counting) before they could be promoted,
  and full collections become rare. Cyclic garbage waits a little longer, nothing more.
"""

from __future__ import annotations

import functools
import gc

YOUNG_THRESHOLD = 50_000


@functools.cache  # once per process: later runtimes find the heap prepared
def prepare_heap() -> None:
    """Freeze the startup heap and raise the young-generation threshold."""
    gc.collect()  # garbage from startup is freed, not frozen
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if young:  # 0 means someone disabled automatic collection: leave that alone
        gc.set_threshold(max(young, YOUNG_THRESHOLD), middle, old)

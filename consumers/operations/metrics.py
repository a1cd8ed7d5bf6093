"""Prometheus metrics of the dead letters, from durable state (see :mod:`.figures`).

A long-running process (``orderflow jobs``, ``orderflow run``) reads the figures every little
while and :data:`DEAD_LETTERS` serves the last reading at every scrape; the ``orderflow dlq``
commands themselves live too briefly to be scraped and export nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from consumers.operations.figures import GroupFigures


class DeadLetterCollector(Collector):
    """Serves the last dead-letter figures read; nothing until the first reading."""

    def __init__(self) -> None:
        self._figures: tuple[GroupFigures, ...] = ()

    def update(self, figures: Iterable[GroupFigures]) -> None:
        """Replace the figures served (one assignment: a scrape sees old or new, never half)."""
        self._figures = tuple(figures)

    def collect(self) -> Iterator[Metric]:
        """The ``orderflow_dlq_*`` families, one sample per consumer group."""
        figures = self._figures
        if not figures:
            return
        families: list[tuple[CounterMetricFamily | GaugeMetricFamily, str]] = [
            (
                CounterMetricFamily(
                    "orderflow_dlq_dead_letters_total",
                    "Records ever written to the group's dead-letter topic (its end offsets)",
                    labels=["group"],
                ),
                "written",
            ),
            (
                GaugeMetricFamily(
                    "orderflow_dlq_unresolved",
                    "Dead letters the topic retains that were neither replayed nor purged",
                    labels=["group"],
                ),
                "unresolved",
            ),
            (_counter("orderflow_dlq_replayed_total", "republished by replay jobs"), "replayed"),
            (_counter("orderflow_dlq_refused_total", "refused by the loop guard"), "refused"),
            (_counter("orderflow_dlq_purged_total", "resolved by purge jobs"), "purged"),
            (_counter("orderflow_dlq_exported_total", "written to JSONL exports"), "exported"),
        ]
        for family, field in families:
            for group in figures:
                family.add_metric([group.group], getattr(group, field))
            yield family


def _counter(name: str, what: str) -> CounterMetricFamily:
    return CounterMetricFamily(name, f"Dead letters {what} (messaging tables)", labels=["group"])


DEAD_LETTERS = DeadLetterCollector()

"""Which build writes an event: the ``producerversion`` CloudEvents extension it carries.

The build is stamped on each event when it is written, in the writer's process and inside the
transaction that appends its outbox row (``events.new_envelope``); the relay publishes the row's
headers as they were written, so a relay of another release never relabels an event, and a
retry or dead-letter copy keeps the stamp of the build that decided the event.

A process passes its build down with its session factory, like its namespace
(``foundation.database.create_sessions(engine, namespace, producer=...)``; the composition
root makes every process's sessions that way). Sessions made without one (tests, scripts,
benchmarks) stamp :data:`UNKNOWN_PRODUCER`: a stamp that admits it does not know, rather than
a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

PRODUCT = "orderflow"
UNKNOWN = "unknown"
# Twelve hex digits name one commit in any repository of this size, and keep the stamp short.
SHORT_COMMIT = 12


@dataclass(frozen=True)
class Producer:
    """A build that writes events: its version, its commit, whether its tree had changes.

    ``dirty`` is None when nobody could tell (no checkout, no build record).
    """

    version: str = UNKNOWN
    commit: str = UNKNOWN
    dirty: bool | None = None

    def stamp(self) -> str:
        """``orderflow/0.1.0+1a2b3c4d5e6f``: product/version, the commit as SemVer build
        metadata (``.dirty`` appended for a tree with changes, omitted when unknown)."""
        if self.commit == UNKNOWN:
            return f"{PRODUCT}/{self.version}"
        dirty = ".dirty" if self.dirty else ""
        return f"{PRODUCT}/{self.version}+{self.commit[:SHORT_COMMIT]}{dirty}"


UNKNOWN_PRODUCER = Producer()

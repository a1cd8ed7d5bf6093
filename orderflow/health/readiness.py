"""Readiness: every check of a process, run at once, each within a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orderflow.health.checks import Check

CHECK_SECONDS = 2.0  # well under a probe's usual timeout; an answer slower than this is a "no"


@dataclass(frozen=True)
class Outcome:
    """What one check found."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"ok": ..., "ms": ..., "error": ...}`` (no error when ok)."""
        body: dict[str, Any] = {"ok": self.ok, "ms": round(self.seconds * 1000, 1)}
        if self.error:
            body["error"] = self.error
        return body


@dataclass(frozen=True)
class Report:
    """The outcomes of one readiness round."""

    outcomes: tuple[Outcome, ...]

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return all(o.ok for o in self.outcomes)

    @property
    def failing(self) -> list[str]:
        """The names of the checks that failed."""
        return [o.name for o in self.outcomes if not o.ok]

    def checks_json(self) -> dict[str, Any]:
        """Each check by name."""
        return {o.name: o.to_json() for o in self.outcomes}


class Readiness:
    """Runs named checks concurrently; a check that raises or overruns its deadline fails."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        *,
        deadline: float = CHECK_SECONDS,
        closers: Iterable[Callable[[], Awaitable[None]]] = (),
    ) -> None:
        self._checks = dict(checks)
        self._deadline = deadline
        self._closers = list(closers)

    @property
    def names(self) -> list[str]:
        """The names of the checks, in order."""
        return list(self._checks)

    async def close(self) -> None:
        """Release what the checks hold (connections); a later report opens them again."""
        for close in self._closers:
            await close()

    async def report(self) -> Report:
        """Run every check now."""
        runs = [self._run(name, check) for name, check in self._checks.items()]
        return Report(tuple(await asyncio.gather(*runs)))

    async def _run(self, name: str, check: Check) -> Outcome:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._deadline):
                await check()
        except TimeoutError:
            error = f"no answer within {self._deadline:g} s"
        except Exception as exc:  # whatever failed, the part is not ready; say what it was
            error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            return Outcome(name, True, time.perf_counter() - started)
        return Outcome(name, False, time.perf_counter() - started, error)

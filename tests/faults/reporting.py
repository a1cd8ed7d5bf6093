"""The figures of each scenario: one JSON line printed, repeated at the end of the run; every
finding in ``findings.json`` next to the processes' logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Report = Callable[[dict[str, object], dict[str, list[str]]], None]

FIGURES: list[str] = []


def reporter(scenario: str, folder: Path) -> Report:
    """A report function for ``scenario`` writing its findings into ``folder``."""

    def emit(figures: dict[str, object], findings: dict[str, list[str]]) -> None:
        (folder / "findings.json").write_text(json.dumps(findings, indent=1))
        line = json.dumps({"scenario": scenario, **figures})
        print(line)
        FIGURES.append(line)

    return emit

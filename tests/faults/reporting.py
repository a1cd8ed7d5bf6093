"""The figures of each scenario: one JSON line printed, repeated at the end of the run; every
finding in ``findings.json`` next to the processes' logs.

A pytest plugin (``tests/conftest.py`` loads it): the lines travel as the test report's user
properties, so the summary has them also when the scenarios ran in an xdist worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Report = Callable[[dict[str, object], dict[str, list[str]]], None]

PROPERTY = "fault-figures"


def reporter(item: pytest.Item, folder: Path) -> Report:
    """A report function for the scenario ``item`` writing its findings into ``folder``."""

    def emit(figures: dict[str, object], findings: dict[str, list[str]]) -> None:
        (folder / "findings.json").write_text(json.dumps(findings, indent=1))
        line = json.dumps({"scenario": item.name, **figures})
        print(line)
        item.user_properties.append((PROPERTY, line))

    return emit


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures of every fault scenario that ran, at the end of the output."""
    reports = [r for kind in ("passed", "failed") for r in terminalreporter.stats.get(kind, [])]
    lines = [
        value
        for report in reports
        if getattr(report, "when", "") == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == PROPERTY
    ]
    if lines:
        terminalreporter.section("fault-injection figures")
        for line in lines:
            terminalreporter.write_line(str(line))

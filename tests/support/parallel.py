"""A pytest plugin: how ``make test WORKERS=2`` shares the suite between pytest-xdist workers.

``--dist loadscope`` with one change: the fault scenarios are one unit of work, not one per
module, so a run never has two private pairs (and their dozens of processes) up at once. Every
other module is a unit as usual: its module fixtures start once and its tests run in order.

The fault suite is the longest unit and mostly waits (outages, restarts, coming to rest), so
it goes first: one worker waits it out while the other runs the rest, then both share what is
left. Scopes are handed out in collection order (``--no-loadscope-reorder``), and every worker
collects the fault scenarios first.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadScopeScheduling

FAULTS = "tests/faults/"


class FaultSuiteAsOneUnit(LoadScopeScheduling):  # type: ignore[misc]  # xdist has no types
    """Module by module, the fault suite as one unit."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(FAULTS):
            return FAULTS
        return str(super()._split_scope(nodeid))


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Our scheduler for ``--dist loadscope``; xdist's own for any other mode."""
    if config.getoption("dist") != "loadscope":
        return None
    return FaultSuiteAsOneUnit(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker, the fault scenarios first (the order scopes are handed out in)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: not item.nodeid.startswith(FAULTS))

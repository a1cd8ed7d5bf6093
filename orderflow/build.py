"""Which build of orderflow is running: its version and the commit it was built from.

The commit comes from, in order:

1. ``git``, when the package runs from a checkout (an editable install: the commit moves with
   every change, so nothing is written at install time, and a file left by an interrupted
   build cannot pin a stale commit);
2. ``orderflow/_build.py``, written by the wheel build (``hatch_build.py``), so an installed
   wheel knows its commit with no repository around;
3. ``"unknown"`` otherwise.

Standard library only: the build hook loads this file by path, before any dependency exists.
"""

from __future__ import annotations

import importlib
import platform
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

UNKNOWN = "unknown"
GENERATED_MODULE = "orderflow._build"
_CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Build:
    """A build: ``dirty`` is None when nobody could tell (no generated module, no checkout)."""

    version: str
    commit: str
    dirty: bool | None

    @property
    def python(self) -> str:
        return platform.python_version()

    def describe(self) -> str:
        """``orderflow 0.1.0 (commit 1a2b…, clean)``: what ``orderflow --version`` prints."""
        state = {True: "dirty", False: "clean", None: "tree state unknown"}[self.dirty]
        return f"orderflow {self.version} (commit {self.commit}, {state})"

    def labels(self) -> dict[str, str]:
        """The build as string labels: log fields and metric labels share these names."""
        dirty = UNKNOWN if self.dirty is None else str(self.dirty).lower()
        return {"version": self.version, "commit": self.commit, "dirty": dirty}


def read_checkout(root: Path) -> tuple[str, bool] | None:
    """The commit checked out at ``root`` and whether tracked files differ from it.

    None unless ``root`` itself holds a repository: an installed package inside someone
    else's repository (a virtualenv in a checkout) must not report that repository's commit.
    """
    if not (root / ".git").exists():
        return None
    try:
        head = _git(root, "rev-parse", "HEAD")
        changes = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head, bool(changes)


def resolve_build(generated: ModuleType | None, checkout: Path, version: str) -> Build:
    """The build from the checkout, else the generated module, else unknown."""
    found = read_checkout(checkout)
    if found is not None:
        return Build(version, *found)
    if generated is not None:
        return Build(version, str(generated.COMMIT), bool(generated.DIRTY))
    return Build(version, UNKNOWN, None)


@cache
def current_build() -> Build:
    """This process's build, computed once (git runs at most once per process)."""
    return resolve_build(_generated_module(), _CHECKOUT, _installed_version())


def _generated_module() -> ModuleType | None:
    try:
        return importlib.import_module(GENERATED_MODULE)
    except ModuleNotFoundError:
        return None


def _installed_version() -> str:
    try:
        return metadata.version("orderflow")
    except metadata.PackageNotFoundError:
        return UNKNOWN


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10
    )
    return done.stdout.strip()

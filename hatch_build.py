"""Wheel and sdist builds record the commit they were built from in ``orderflow/_build.py``.

An installed wheel has no repository to ask, so the build writes the answer down (see
``orderflow/build.py`` for how it is read). Editable installs write nothing: there the commit
moves with every change and is read from git when the process starts. A wheel built from an
sdist (no repository either) keeps the file the sdist carries.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GENERATED = "orderflow/_build.py"


class BuildMetadataHook(BuildHookInterface):
    """Writes ``orderflow/_build.py`` before the files are collected, removes it afterwards."""

    written = False

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        found = _version_source(root).read_checkout(root)
        target = root / GENERATED
        if found is not None:
            commit, dirty = found
            target.write_text(
                '"""Written by the build (hatch_build.py): the commit of this build."""\n\n'
                f"COMMIT = {commit!r}\nDIRTY = {dirty!r}\n"
            )
            self.written = True
        if target.exists():  # written now, or carried by the sdist this build unpacked
            build_data["artifacts"].append(f"/{GENERATED}")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        # Leave the checkout as it was: the record belongs in the artifacts only.
        if self.written:
            (Path(self.root) / GENERATED).unlink(missing_ok=True)


def _version_source(root: Path) -> Any:
    """``orderflow/build.py`` loaded by path: the build environment has no dependencies."""
    spec = importlib.util.spec_from_file_location("_orderflow_build", root / "orderflow/build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module

"""A checkout synced without the dev group: ``orderflow dev`` says what is missing, in one line.

(Without the devtools package at all, as installed from the wheel: tests/packaging.)
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import ModuleSpec

import pytest
from typer.testing import CliRunner

from orderflow.cli.development import add_dev_commands
from orderflow.cli.errors import command_group

pytestmark = pytest.mark.unit


def test_a_missing_dev_dependency_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def without_aiosmtpd(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "aiosmtpd" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_aiosmtpd)
    monkeypatch.delitem(sys.modules, "devtools.cli", raising=False)
    app = command_group()
    app.command("version")(lambda: None)  # a second command, so that `dev` stays a subcommand
    add_dev_commands(app)

    result = CliRunner().invoke(app, ["dev", "up", "--only", "kafka"])

    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "`orderflow dev` is unavailable: its dependency aiosmtpd is missing" in result.output

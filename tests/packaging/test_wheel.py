"""What ships: the wheel holds the platform, never the development tooling or its dependencies.

The wheel is built the way a release builds it (``uv build``), and installed the way a
deployment installs it (the locked runtime dependencies only, no dev group), into a fresh
environment outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.packaging

PROJECT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text())
SHIPPED = set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
DEV_ONLY = {"testcontainers", "aiosmtpd", "docker", "devtools"}
RUN_BY_ALEMBIC = {"migrations.env"}  # a script alembic executes, not a module to import


def _uv() -> list[str]:
    """uv from PATH, else the one pip installed for python3 (what the Makefile uses)."""
    if found := shutil.which("uv"):
        return [found]
    python3 = shutil.which("python3")
    probe = [python3, "-m", "uv", "--version"] if python3 else []
    if probe and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return probe[:-1]
    pytest.fail("uv is needed to build the wheel: `make setup` installs it")


def _run(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``uv build`` makes of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    built = _run([*_uv(), "build", "--wheel", "--out-dir", str(out), str(PROJECT)], out)
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("orderflow-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the locked runtime dependencies (no dev group) and the wheel."""
    home = tmp_path_factory.mktemp("deployment")
    environment = home / "venv"
    offline = ["--frozen", "--offline", "--quiet"]
    dependencies = [*_uv(), "sync", *offline, "--no-dev", "--no-install-project"]
    dependencies += ["--project", str(PROJECT), "--python", sys.executable]
    environ = {**_environ(), "UV_PROJECT_ENVIRONMENT": str(environment)}
    synced = subprocess.run(
        dependencies, cwd=home, env=environ, capture_output=True, text=True, check=False
    )
    assert synced.returncode == 0, synced.stderr
    python = str(environment / "bin" / "python")
    package = [*_uv(), "pip", "install", "--offline", "--quiet", "--no-deps", "--python", python]
    assert _run([*package, str(wheel)], home).returncode == 0
    return environment


def _environ() -> dict[str, str]:
    """This environment minus the test run's virtualenv, which is not the one to sync."""
    return {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}


def test_the_wheel_holds_the_shipped_packages_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == SHIPPED
    assert not top_level & DEV_ONLY
    assert not [n for n in names if n.startswith(("orderflow/dev/", "orderflow/fakes/"))]


def test_the_wheel_requires_no_development_dependency(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        fields = Parser().parsestr(archive.read(metadata).decode())
    required = {Requirement(line).name for line in fields.get_all("Requires-Dist") or []}
    declared = {Requirement(line).name for line in PYPROJECT["project"]["dependencies"]}
    assert required == declared
    assert not required & DEV_ONLY


def test_the_installed_package_imports_without_the_dev_group(installed: Path) -> None:
    # Every module of every shipped package: nothing needs a development dependency to load.
    walk = (
        "import importlib, importlib.util, pkgutil, sys\n"
        f"for top in {sorted(SHIPPED)!r}:\n"
        "    package = importlib.import_module(top)\n"
        "    for module in pkgutil.walk_packages(package.__path__, top + '.'):\n"
        f"        if module.name not in {sorted(RUN_BY_ALEMBIC)!r}:\n"
        "            importlib.import_module(module.name)\n"
        f"print(sorted(m for m in {sorted(DEV_ONLY)!r} if importlib.util.find_spec(m)))\n"
    )
    result = _run([str(installed / "bin" / "python"), "-c", walk], installed.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_orderflow_dev_explains_itself_when_the_tooling_is_absent(installed: Path) -> None:
    orderflow = str(installed / "bin" / "orderflow")
    assert _run([orderflow, "--help"], installed.parent).returncode == 0
    result = _run([orderflow, "dev", "up"], installed.parent)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: `orderflow dev` is unavailable: it is development")


def test_the_installed_wheel_knows_the_commit_it_was_built_from(installed: Path) -> None:
    # No repository next to the installed package: the commit comes from the build's record.
    head = _run(["git", "rev-parse", "HEAD"], PROJECT).stdout.strip()
    result = _run([str(installed / "bin" / "orderflow"), "--version"], installed.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"orderflow {PYPROJECT['project']['version']} (commit {head}, ")
    assert not (PROJECT / "orderflow" / "_build.py").exists()  # the checkout keeps reading git

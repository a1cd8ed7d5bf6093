"""Which build is running: read from the build's record, from git in a checkout, or unknown."""

from __future__ import annotations

import io
import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import structlog
from prometheus_client import generate_latest
from typer.testing import CliRunner

from foundation.database import producer_of
from orderflow.build import UNKNOWN, Build, current_build, read_checkout, resolve_build
from orderflow.build_metric import publish_build_info
from orderflow.cli.main import app
from orderflow.logging import configure_logging
from orderflow.settings import DatabaseSettings, Settings
from orderflow.wiring.connections import database_engine, database_sessions

PROJECT = Path(__file__).resolve().parents[2]


def _git(root: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    done = subprocess.run(
        ["git", "-C", str(root), *identity, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A repository with one commit of one tracked file."""
    _git(tmp_path, "init", "--quiet")
    (tmp_path / "tracked.txt").write_text("one\n")
    _git(tmp_path, "add", "tracked.txt")
    _git(tmp_path, "commit", "--quiet", "-m", "first")
    return tmp_path


def _generated(commit: str, dirty: bool) -> ModuleType:
    module = ModuleType("orderflow._build")
    module.COMMIT = commit  # type: ignore[attr-defined]
    module.DIRTY = dirty  # type: ignore[attr-defined]
    return module


def test_a_checkout_reports_its_head_and_a_clean_tree(checkout: Path) -> None:
    build = resolve_build(None, checkout, "1.2.3")
    assert build == Build("1.2.3", _git(checkout, "rev-parse", "HEAD"), dirty=False)
    assert build.describe() == f"orderflow 1.2.3 (commit {build.commit}, clean)"


def test_a_changed_tracked_file_makes_the_tree_dirty_an_untracked_one_does_not(
    checkout: Path,
) -> None:
    (checkout / "untracked.txt").write_text("scratch\n")
    assert read_checkout(checkout) == (_git(checkout, "rev-parse", "HEAD"), False)
    (checkout / "tracked.txt").write_text("two\n")
    assert read_checkout(checkout) == (_git(checkout, "rev-parse", "HEAD"), True)
    assert resolve_build(None, checkout, "1.2.3").describe().endswith(", dirty)")


def test_an_installed_build_reports_the_commit_recorded_at_build_time(tmp_path: Path) -> None:
    build = resolve_build(_generated("0123abcd", dirty=True), tmp_path, "1.2.3")
    assert build == Build("1.2.3", "0123abcd", dirty=True)
    assert build.labels() == {"version": "1.2.3", "commit": "0123abcd", "dirty": "true"}


def test_in_a_checkout_git_wins_over_a_record_left_by_an_interrupted_build(
    checkout: Path,
) -> None:
    build = resolve_build(_generated("0123abcd", dirty=True), checkout, "1.2.3")
    assert build == Build("1.2.3", _git(checkout, "rev-parse", "HEAD"), dirty=False)


def test_without_a_record_or_a_checkout_the_commit_is_unknown(tmp_path: Path) -> None:
    build = resolve_build(None, tmp_path, "1.2.3")
    assert build == Build("1.2.3", UNKNOWN, dirty=None)
    assert build.describe() == "orderflow 1.2.3 (commit unknown, tree state unknown)"
    assert build.labels()["dirty"] == UNKNOWN


def test_a_package_inside_another_repository_does_not_borrow_its_commit(checkout: Path) -> None:
    # A virtualenv inside a checkout: site-packages is in the repository but is not its root.
    site_packages = checkout / ".venv" / "lib" / "site-packages"
    site_packages.mkdir(parents=True)
    assert read_checkout(site_packages) is None


def test_orderflow_version_prints_this_checkouts_commit() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    head = _git(PROJECT, "rev-parse", "HEAD")
    assert result.output.startswith(f"orderflow {current_build().version} (commit {head}, ")


def test_the_build_info_metric_carries_the_build_as_labels() -> None:
    publish_build_info()
    build = current_build()
    exposed = generate_latest().decode()
    [line] = [row for row in exposed.splitlines() if row.startswith("orderflow_build_info{")]
    assert f'commit="{build.commit}"' in line
    assert f'version="{build.version}"' in line
    assert f'python="{build.python}"' in line
    assert line.endswith(" 1.0")


async def test_a_process_session_stamps_its_events_with_this_checkouts_build() -> None:
    settings = Settings(
        database=DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    )
    engine = database_engine(settings)  # never connects: only the factory is looked at
    head = _git(PROJECT, "rev-parse", "HEAD")
    try:
        async with database_sessions(settings, engine)() as session:
            stamp = producer_of(session).stamp()
    finally:
        await engine.dispose()
    assert stamp.startswith(f"orderflow/{current_build().version}+{head[:12]}")


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_every_json_log_line_names_the_build(output: io.StringIO) -> None:
    structlog.get_logger("t").info("from structlog")
    logging.getLogger("aiokafka").warning("from a library")
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    build = current_build()
    assert [(line["version"], line["commit"]) for line in lines] == [
        (build.version, build.commit)
    ] * 2

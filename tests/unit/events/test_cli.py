"""``orderflow events`` and ``orderflow docs``: readable output, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from events.contracts import read_committed
from orderflow.cli import docs, events

app = typer.Typer()
app.add_typer(events.app, name="events")
app.add_typer(docs.app, name="docs")
runner = CliRunner()


def test_list_marks_the_versions_written_today() -> None:
    result = runner.invoke(app, ["events", "list"])

    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if "orders.OrderPlaced " in line]
    assert [(line[0], line.split()[-3]) for line in lines] == [(" ", "v1"), ("*", "v2")]


def test_show_prints_fields_and_schema() -> None:
    fields = runner.invoke(app, ["events", "show", "orders.OrderPlaced"])
    schema = runner.invoke(
        app, ["events", "show", "orders.OrderPlaced", "--version", "1", "--schema"]
    )

    assert fields.exit_code == 0
    assert "versions: v1, v2" in fields.output
    assert "channel" in fields.output
    assert json.loads(schema.output)["x-orderflow"]["version"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["orders.OrderEaten"],
            "error: unknown event type 'orders.OrderEaten'; known event types:",
        ),
        (["orders.OrderPlaced", "--version", "9"], "has no version 9; it has: v1, v2"),
    ],
)
def test_show_fails_in_one_line_for_unknown_events(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["events", "show", *args])

    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_check_passes_on_the_committed_history() -> None:
    result = runner.invoke(app, ["events", "check"])

    assert result.exit_code == 0, result.output
    assert "events check passed" in result.output


def test_check_fails_with_a_readable_report_on_a_breaking_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = read_committed

    def broken() -> list[dict[str, Any]]:
        documents = original()
        for document in documents:
            if document["$id"] == "urn:orderflow:event:orders.OrderPlaced:v2":
                del document["properties"]["currency"]
        return documents

    # The command imports it when it runs (CLI startup time), so patch it at its source.
    monkeypatch.setattr("events.contracts.read_committed", broken)
    result = runner.invoke(app, ["events", "check"])

    assert result.exit_code == 1
    assert "BREAKING  orders.OrderPlaced v1 → v2: field 'currency'" in result.output
    assert "a field may not be removed" in result.output
    assert "events check failed: 1 incompatibility(ies)" in result.output


def test_docs_write_the_asyncapi_document_and_the_catalog(tmp_path: Path) -> None:
    asyncapi = runner.invoke(app, ["docs", "asyncapi", "--output", str(tmp_path / "a.json")])
    catalog = runner.invoke(app, ["docs", "catalog", "--output", str(tmp_path / "c.md")])
    unwritable = runner.invoke(app, ["docs", "asyncapi", "-o", str(tmp_path / "c.md" / "x")])

    assert asyncapi.exit_code == catalog.exit_code == 0
    assert json.loads((tmp_path / "a.json").read_text())["asyncapi"] == "3.0.0"
    assert (tmp_path / "c.md").read_text().startswith("# Event catalog")
    assert unwritable.exit_code == 2
    assert "error: cannot write" in unwritable.output


def test_catalog_default_is_the_contracts_catalog_path() -> None:
    from events.contracts.catalog import CATALOG_PATH  # noqa: PLC0415

    assert docs.CATALOG_PATH == CATALOG_PATH

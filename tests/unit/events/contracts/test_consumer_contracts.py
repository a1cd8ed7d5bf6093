"""Consumer-driven contracts (``contracts/consumers/*.yaml``): every registered team is served
by the committed schemas, and a change that would break one is refused, naming team and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from events.contracts import SCHEMA_DIR, read_committed
from events.contracts.consumers import (
    ConsumerBreak,
    ContractFileError,
    check_consumers,
    load_contracts,
)
from orderflow.cli import events

app = typer.Typer()
app.add_typer(events.app, name="events")
runner = CliRunner()
Document = dict[str, Any]


def _documents_with(event_type: str, version: int, change: Any) -> list[Document]:
    documents = copy.deepcopy(read_committed())
    (target,) = [
        d
        for d in documents
        if (d["x-orderflow"]["event_type"], d["x-orderflow"]["version"]) == (event_type, version)
    ]
    change(target)
    return documents


def _breaks(documents: list[Document]) -> list[str]:
    return [str(b) for b in check_consumers(documents, load_contracts())]


def test_every_registered_consumer_is_served_by_the_committed_schemas() -> None:
    contracts = load_contracts()

    assert {c.team for c in contracts} >= {"loyalty", "notifications"}
    assert check_consumers(read_committed(), contracts) == []


def test_removing_a_field_a_team_reads_names_the_team_event_and_field() -> None:
    def drop_total(document: Document) -> None:
        del document["properties"]["total_minor"]
        document["required"].remove("total_minor")

    breaks = check_consumers(
        _documents_with("orders.OrderConfirmed", 1, drop_total), load_contracts()
    )

    assert breaks == [
        ConsumerBreak("loyalty", "orders.OrderConfirmed", 1, "total_minor", "removed")
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["properties"]["customer_id"].update(type="integer"),
            "field 'customer_id': we may send ['integer'], they handle ['string']",
        ),
        (
            lambda d: d["required"].remove("customer_id"),
            "field 'customer_id': they need it, but it is optional",
        ),
        (
            lambda d: d["properties"]["customer_id"].pop("format"),
            "field 'customer_id': format ['None'], they expect uuid",
        ),
    ],
)
def test_retyping_or_loosening_a_field_is_caught_for_every_reader(
    change: Any, problem: str
) -> None:
    breaks = _breaks(_documents_with("orders.OrderPlaced", 2, change))

    assert breaks == [
        f"team 'analytics' reads orders.OrderPlaced v2 {problem}",
        f"team 'loyalty' reads orders.OrderPlaced v2 {problem}",
        f"team 'notifications' reads orders.OrderPlaced v2 {problem}",
    ]


def test_an_event_or_version_no_longer_published_is_caught() -> None:
    documents = [
        d
        for d in read_committed()
        if d["x-orderflow"]["event_type"] != "orders.OrderRefunded"
        and d["x-orderflow"]["ce_type"] != "orderflow.orders.OrderPlaced.v1"
    ]

    breaks = _breaks(documents)

    assert sorted(breaks) == [
        "team 'analytics' reads orders.OrderPlaced v1 field '<version>': "
        "this version is not published",
        "team 'analytics' reads orders.OrderRefunded field '<event>': "
        "orders.OrderRefunded is not published on orders.order.v1",
        "team 'loyalty' reads orders.OrderPlaced v1 field '<version>': "
        "this version is not published",
        "team 'loyalty' reads orders.OrderRefunded field '<event>': "
        "orders.OrderRefunded is not published on orders.order.v1",
        "team 'notifications' reads orders.OrderPlaced v1 field '<version>': "
        "this version is not published",
        "team 'recommendations' reads orders.OrderPlaced v1 field '<version>': "
        "this version is not published",
        "team 'recommendations' reads orders.OrderRefunded field '<event>': "
        "orders.OrderRefunded is not published on orders.order.v1",
    ]


def test_events_check_rejects_a_breaking_change_naming_team_event_and_field(
    tmp_path: Path,
) -> None:
    for path in SCHEMA_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    changed = tmp_path / "orders.OrderConfirmed.v1.json"
    document = json.loads(changed.read_text())
    document["properties"]["total_minor"] = {"title": "Total Minor", "type": "string"}
    changed.write_text(json.dumps(document, indent=2) + "\n")

    result = runner.invoke(app, ["events", "check", "--schema-dir", str(tmp_path)])

    assert result.exit_code == 1
    assert (
        "CONSUMER  team 'loyalty' reads orders.OrderConfirmed v1 field 'total_minor': "
        "we may send ['string'], they handle ['integer']"
    ) in result.output
    assert "1 broken consumer contract(s)" in result.output


def test_events_check_passes_on_the_committed_schemas() -> None:
    result = runner.invoke(app, ["events", "check"])

    assert result.exit_code == 0, result.output
    assert "every registered consumer served" in result.output


def test_consumers_lists_who_reads_an_event() -> None:
    result = runner.invoke(app, ["events", "consumers", "--event", "orders.OrderConfirmed"])

    assert result.exit_code == 0
    header, *lines = result.output.splitlines()
    assert header.split()[:3] == ["team", "topic", "event"]
    assert [line.split()[0] for line in lines] == ["analytics", "loyalty", "recommendations"]
    assert lines[1].split() == [
        "loyalty",
        "orders.order.v1",
        "orders.OrderConfirmed",
        "v1",
        "order_id,",
        "total_minor",
    ]


def test_a_malformed_contract_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("team: x\nsubscriptions: []\n")

    with pytest.raises(ContractFileError, match=r"broken\.yaml: subscriptions: "):
        load_contracts(tmp_path)
    result = runner.invoke(app, ["events", "check", "--consumers-dir", str(tmp_path)])

    assert result.exit_code == 2
    assert result.output.startswith("error: consumer contract broken.yaml: subscriptions")

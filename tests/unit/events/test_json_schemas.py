"""The committed JSON Schemas match the models; every version has a valid example."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from events import registry
from events.contracts import SCHEMA_DIR, find_drift, read_committed, write_schemas
from events.contracts.examples import example_payloads
from events.registry import EventSpec


def test_committed_schemas_match_the_models() -> None:
    drift = find_drift()

    assert not drift, "\n".join(map(str, drift))


def test_a_changed_model_is_reported_as_drift(tmp_path: Path) -> None:
    directory = SCHEMA_DIR.parent / "json"
    copy = tmp_path / "json"
    copy.mkdir()
    for path in directory.glob("*.json"):
        (copy / path.name).write_text(path.read_text())
    (copy / "orders.OrderPlaced.v2.json").write_text("{}")
    (copy / "orders.OrderPlaced.v3.json").write_text("{}")
    (copy / "orders.OrderPlaced.v1.json").unlink()

    problems = {d.file: d.problem for d in find_drift(copy)}

    assert "differs from the model" in problems["orders.OrderPlaced.v2.json"]
    assert "never deleted" in problems["orders.OrderPlaced.v3.json"]
    assert "not committed" in problems["orders.OrderPlaced.v1.json"]
    assert write_schemas(copy) == ["orders.OrderPlaced.v1.json", "orders.OrderPlaced.v2.json"]


def test_committed_schemas_carry_their_routing() -> None:
    placed = {
        d["x-orderflow"]["version"]: d
        for d in read_committed()
        if d["title"].startswith("OrderPlaced")
    }

    assert placed[2]["x-orderflow"] == {
        "event_type": "orders.OrderPlaced",
        "version": 2,
        "ce_type": "orderflow.orders.OrderPlaced.v2",
        "topic": "orders.order.v1",
        "key": "order_id",
        "aggregate_type": "order",
    }
    assert "channel" not in placed[2]["required"]


@pytest.mark.parametrize("spec", list(registry), ids=lambda s: f"{s.event_type}.v{s.version}")
def test_every_event_version_is_documented_with_a_valid_example(spec: EventSpec) -> None:
    assert spec.model.__doc__, "an event schema needs a docstring: what happened, when"
    for example in example_payloads(spec):
        try:
            spec.model.model_validate(example)
        except ValidationError as exc:
            pytest.fail(f"{spec.model.__name__}: give it json_schema_extra examples ({exc})")

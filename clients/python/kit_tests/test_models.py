"""The kit's models are orderflow's committed JSON Schemas, exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderflow_events import EventRegistry, registry

# The committed schemas of the repository the kit is built from (the tests run in its checkout).
SCHEMAS = Path(__file__).resolve().parents[3] / "events" / "schemas" / "json"


def committed() -> list[dict[str, Any]]:
    documents = [json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))]
    assert documents, f"no committed schemas under {SCHEMAS}"
    return documents


@pytest.mark.parametrize("document", committed(), ids=lambda d: d["$id"].rsplit(":", 2)[-2])
def test_each_model_has_exactly_its_committed_schema(document: dict[str, Any]) -> None:
    meta = document["x-orderflow"]
    (model,) = [m for m in registry if m.event_spec.ce_type == meta["ce_type"]]
    payload_schema = {
        k: v for k, v in document.items() if k not in ("$schema", "$id", "x-orderflow")
    }

    assert model.model_json_schema(mode="validation") == payload_schema
    assert (model.event_spec.topic, model.event_spec.key) == (meta["topic"], meta["key"])
    assert model.event_spec.aggregate_type == meta["aggregate_type"]


def test_the_kit_knows_every_committed_version_and_no_other() -> None:
    assert {m.event_spec.ce_type for m in registry} == {
        d["x-orderflow"]["ce_type"] for d in committed()
    }


def test_every_example_payload_validates() -> None:
    # exclude_unset: an optional field an example leaves out stays out (it is not dumped as null)
    for model in registry:
        for example in model.model_json_schema()["examples"]:
            parsed = model.model_validate(example)
            assert parsed.model_dump(mode="json", exclude_unset=True) == example


def test_an_empty_registry_of_a_type_names_the_type() -> None:
    events = EventRegistry([], {})

    with pytest.raises(Exception, match=r"unknown event type 'orders\.OrderConfirmed'"):
        events.model_for("orderflow.orders.OrderConfirmed.v1")

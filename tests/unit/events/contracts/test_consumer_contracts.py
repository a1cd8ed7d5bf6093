"""Consumer-driven contracts: what downstream teams read, checked against our newest schema.

Each ``*.json`` file here is a downstream team's expectation of one event: the fields it reads,
the JSON types it can handle, and whether it copes with the field being absent. A change on our
side that would break a team fails here, before it reaches their topic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events import registry
from events.contracts import flatten_fields
from events.contracts.fields import Field, branches, type_of

CONTRACTS = sorted(Path(__file__).parent.glob("*.json"))


def _problems(contract: dict[str, Any]) -> list[str]:
    spec = registry.latest(contract["event_type"], topic=contract["topic"])
    fields = flatten_fields(spec.model.model_json_schema())
    problems = []
    for path, expected in contract["reads"].items():
        field = fields.get(path)
        if field is None:
            problems.append(f"{path}: not in {spec.ce_type}")
            continue
        problems.extend(f"{path}: {p}" for p in _field_problems(field, expected))
    return problems


def _field_problems(field: Field, expected: dict[str, Any]) -> list[str]:
    problems = []
    sent = {type_of(b) for b in branches(field.schema)}
    if not sent <= set(expected["type"]):
        problems.append(f"we may send {sorted(sent)}, they handle {expected['type']}")
    if not field.required and not expected.get("optional", False):
        problems.append("they need it, but it is optional")
    formats = {b.get("format") for b in branches(field.schema) if type_of(b) != "null"}
    if "format" in expected and formats != {expected["format"]}:
        problems.append(f"format {sorted(map(str, formats))}, they expect {expected['format']}")
    return problems


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.stem)
def test_downstream_expectations_hold_for_the_newest_version(path: Path) -> None:
    contract = json.loads(path.read_text())

    problems = _problems(contract)

    assert not problems, f"{contract['consumer']} would break:\n" + "\n".join(problems)


def test_a_change_that_would_break_a_team_is_caught() -> None:
    contract = json.loads(CONTRACTS[0].read_text())
    contract["reads"]["channel"] = {"type": ["string"]}  # a team that assumed it is always set
    contract["reads"]["discount_minor"] = {"type": ["integer"]}

    problems = _problems(contract)

    assert "channel: we may send ['null', 'string'], they handle ['string']" in problems
    assert "channel: they need it, but it is optional" in problems
    assert "discount_minor: not in orderflow.orders.OrderPlaced.v2" in problems

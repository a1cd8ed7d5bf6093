"""The BACKWARD_TRANSITIVE gate over the committed schema history."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from events.contracts import Violation, check_history, read_committed
from events.contracts.compatibility import (
    ADDED_REQUIRED,
    KEY_CHANGED,
    MADE_REQUIRED,
    REMOVED,
    RETYPED,
    TIGHTENED,
)

Document = dict[str, Any]


def test_the_committed_history_is_compatible() -> None:
    violations = check_history(read_committed())

    assert not violations, "\n".join(map(str, violations))


def _order_placed(version: int) -> Document:
    (document,) = [
        d
        for d in read_committed()
        if d["x-orderflow"]["event_type"] == "orders.OrderPlaced"
        and d["x-orderflow"]["version"] == version
    ]
    return copy.deepcopy(document)


def _next_version(change: Any) -> list[Violation]:
    """Violations when a v3 = v2 changed by ``change`` joins the committed history."""
    v3 = _order_placed(2)
    v3["x-orderflow"]["version"] = 3
    change(v3)
    return check_history([_order_placed(1), _order_placed(2), v3])


def _remove_total(d: Document) -> None:
    del d["properties"]["total_minor"]
    d["required"].remove("total_minor")


def _retype_total(d: Document) -> None:
    d["properties"]["total_minor"] = {"type": "string"}


def _require_new_field(d: Document) -> None:
    d["properties"]["gift_wrap"] = {"type": "boolean"}
    d["required"].append("gift_wrap")


def _require_channel(d: Document) -> None:
    d["properties"]["channel"] = {"type": "string"}
    d["required"].append("channel")


def _shorten_sku(d: Document) -> None:
    d["$defs"]["OrderLine"]["properties"]["sku"]["maxLength"] = 16


def _rekey(d: Document) -> None:
    d["x-orderflow"]["key"] = "customer_id"


@pytest.mark.parametrize(
    ("change", "field", "rule", "versions"),
    [
        (_remove_total, "total_minor", REMOVED, {(1, 3), (2, 3)}),
        (_retype_total, "total_minor", RETYPED, {(1, 3), (2, 3)}),
        (_require_new_field, "gift_wrap", ADDED_REQUIRED, {(1, 3), (2, 3)}),
        (_require_channel, "channel", MADE_REQUIRED, {(2, 3)}),
        (_shorten_sku, "lines[].sku", TIGHTENED, {(1, 3), (2, 3)}),
        (_rekey, "order_id", KEY_CHANGED, {(1, 3), (2, 3)}),
    ],
)
def test_a_breaking_change_is_rejected_against_every_earlier_version(
    change: Any, field: str, rule: str, versions: set[tuple[int, int]]
) -> None:
    violations = _next_version(change)

    assert {(v.old_version, v.new_version) for v in violations if v.rule == rule} == versions
    assert all(v.field == field and v.event_type == "orders.OrderPlaced" for v in violations)


def test_the_message_names_event_versions_field_and_rule() -> None:
    (first, _) = _next_version(_retype_total)

    assert str(first) == (
        f"orders.OrderPlaced v1 → v3: field 'total_minor': type integer → string (rule: {RETYPED})"
    )


def test_making_channel_required_also_breaks_v1_where_it_did_not_exist() -> None:
    violations = _next_version(_require_channel)

    assert any(v.old_version == 1 and v.rule == ADDED_REQUIRED for v in violations)


def test_adding_an_optional_field_or_widening_a_type_is_compatible() -> None:
    def widen(d: Document) -> None:
        d["properties"]["note"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        d["properties"]["total_minor"] = {"type": "number"}
        d["$defs"]["OrderLine"]["properties"]["sku"]["maxLength"] = 128

    assert _next_version(widen) == []


def test_versions_on_different_topics_are_not_compared() -> None:
    def new_major_topic(d: Document) -> None:
        _remove_total(d)
        d["x-orderflow"]["topic"] = "orders.order.v2"

    assert _next_version(new_major_topic) == []

"""Selectors pick exactly the dead letters an operator asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consumers.operations import InvalidSelection, OffsetRange, Selection, parse_offsets
from tests.unit.operations.factories import dead_letter

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_an_empty_selection_matches_every_record_of_the_group() -> None:
    assert Selection("notifications").matches(dead_letter())


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection("g", reasons=("permanent",)), True),
        (Selection("g", reasons=("retries_exhausted",)), False),
        (Selection("g", keys=("order-1",)), True),
        (Selection("g", keys=("order-2",)), False),
        (Selection("g", partitions=(0, 1)), True),
        (Selection("g", partitions=(1,)), False),
        (Selection("g", offsets=OffsetRange(5, 9)), True),
        (Selection("g", offsets=OffsetRange(10, None)), False),
        (Selection("g", since=AT - timedelta(minutes=1)), True),
        (Selection("g", since=AT + timedelta(seconds=1)), False),
        (Selection("g", until=AT), True),
        (Selection("g", until=AT - timedelta(seconds=1)), False),
    ],
)
def test_each_selector_filters(selection: Selection, expected: bool) -> None:
    assert selection.matches(dead_letter(offset=7, at=AT)) is expected


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("orders.OrderPlaced", True),
        ("orders.OrderPlaced.v1", True),
        ("orderflow.orders.OrderPlaced.v1", True),
        ("orders.OrderPlaced.v2", False),
        ("orders.Order", False),
    ],
)
def test_event_type_matches_with_or_without_version(wanted: str, expected: bool) -> None:
    assert Selection("g", event_types=(wanted,)).matches(dead_letter()) is expected


def test_selectors_combine_with_and() -> None:
    selection = Selection("g", reasons=("permanent",), keys=("order-2",))
    assert not selection.matches(dead_letter(reason="permanent", key="order-1"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", OffsetRange(12, 12)),
        ("10-20", OffsetRange(10, 20)),
        ("10..20", OffsetRange(10, 20)),
        ("10-", OffsetRange(10, None)),
        ("-20", OffsetRange(None, 20)),
    ],
)
def test_offset_ranges_parse(text: str, expected: OffsetRange) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize("text", ["", "-", "a-b", "20-10", "1-2-3"])
def test_bad_offset_ranges_say_how_to_write_them(text: str) -> None:
    with pytest.raises(InvalidSelection, match="--offsets"):
        parse_offsets(text)


def test_since_after_until_is_refused() -> None:
    with pytest.raises(InvalidSelection, match="swap"):
        Selection("g", since=AT, until=AT - timedelta(hours=1))


def test_describe_names_every_selector_for_the_audit_trail() -> None:
    selection = Selection("g", reasons=("permanent",), offsets=OffsetRange(0, 5))
    assert selection.describe() == "group=g reason=permanent offsets=0-5"
    assert selection.to_json()["offsets"] == [0, 5]

"""``ls`` groups and counts; ``export`` writes lines that can be read back."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consumers.operations import DeadLetter
from consumers.operations.export import write_jsonl
from consumers.operations.summary import summarize
from tests.unit.operations.factories import dead_letter

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_summary_groups_by_reason_and_event_type_with_oldest_and_newest() -> None:
    records = [
        dead_letter(reason="permanent", at=AT),
        dead_letter(reason="permanent", at=AT + timedelta(minutes=5)),
        dead_letter(reason="invalid_payload", ce_type="orderflow.orders.OrderPaid.v1", at=AT),
    ]
    rows = summarize("notifications", records)
    assert [(r.reason, r.event_type, r.count) for r in rows] == [
        ("permanent", "orderflow.orders.OrderPlaced.v1", 2),
        ("invalid_payload", "orderflow.orders.OrderPaid.v1", 1),
    ]
    assert (rows[0].oldest, rows[0].newest) == (AT, AT + timedelta(minutes=5))
    assert rows[0].to_json()["count"] == 2


def test_export_writes_one_json_line_per_record_with_headers(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    assert write_jsonl(path, [dead_letter(offset=3), dead_letter(offset=4)]) == 2
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["offset"] for line in lines] == [3, 4]
    assert ["x-exception-reason", "permanent"] in lines[0]["headers"]
    assert lines[0]["value"] == '{"order_id": "x"}'


def test_export_never_overwrites_a_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("precious")
    with pytest.raises(FileExistsError):
        write_jsonl(path, [dead_letter()])
    assert path.read_text() == "precious"


def test_binary_values_are_exported_as_base64() -> None:
    base = dead_letter()
    record = DeadLetter(base.topic, 0, 0, base.timestamp_ms, b"k", b"\xff\x00", base.headers)
    out = io.StringIO()
    write_jsonl(out, [record])
    line = json.loads(out.getvalue())
    assert line["value_encoding"] == "base64"
    assert base64.b64decode(line["value"]) == b"\xff\x00"

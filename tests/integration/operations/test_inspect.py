"""``ls`` and ``show`` on real dead-letter topics."""

from __future__ import annotations

import pytest

from consumers.operations import DeadLetterDesk, EmptySelection, UnknownGroup
from consumers.operations.conventions import dead_letter_topic
from consumers.operations.reader import DeadLetterReader
from foundation.kafka import KafkaConnection
from tests.integration.operations.dead_letters import (
    Failed,
    delete_topic,
    order_placed_type,
    seed,
)


async def test_ls_groups_by_reason_and_event_type(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, *[Failed("retries_exhausted")] * 3, Failed("permanent"))
    rows = await desk.summary(group)
    ce_type = order_placed_type()
    assert [(r.group, r.reason, r.event_type, r.count) for r in rows] == [
        (group, "retries_exhausted", ce_type, 3),
        (group, "permanent", ce_type, 1),
    ]
    assert rows[0].oldest <= rows[0].newest
    # Without a group: the groups named (a deployment's own) that have dead letters.
    among = await desk.summary(among=[group, f"{group}-none"])
    assert [(r.group, r.count) for r in among] == [(group, 3), (group, 1)]


async def test_ls_leaves_out_a_group_whose_topic_is_deleted_while_it_reads(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = f"{group}-gone"
    await seed(kafka, group, Failed())
    await seed(kafka, gone, Failed())
    enter = DeadLetterReader.__aenter__

    async def listed_then_deleted(reader: DeadLetterReader) -> DeadLetterReader:
        entered = await enter(reader)
        assert reader.has_topic(dead_letter_topic(gone))  # listed ...
        await delete_topic(kafka, dead_letter_topic(gone))  # ... then deleted before it is read
        return entered

    monkeypatch.setattr(DeadLetterReader, "__aenter__", listed_then_deleted)
    rows = await desk.summary(among=[gone, group])
    assert [(r.group, r.count) for r in rows] == [(group, 1)]
    monkeypatch.undo()
    with pytest.raises(UnknownGroup, match=gone):  # named, a vanished group is still an error
        await desk.summary(gone)


async def test_an_unknown_group_names_the_groups_that_exist(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    with pytest.raises(UnknownGroup, match=rf"no topic nope-{group}\.dlq.*{group}"):
        await desk.summary(f"nope-{group}")


async def test_show_decodes_the_payload_and_the_failure(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    (event_id,) = await seed(kafka, group, Failed("permanent"))
    (found,) = await desk.find(group, event_id)
    record = found.record
    same = await desk.show(group, record.partition, record.offset)
    assert same.record == record
    assert record.reason == "permanent"
    assert record.header("x-original-topic") == "orders.order.v1"
    assert found.payload is not None
    assert found.payload["currency"] == "EUR"
    assert found.resolution is None
    assert found.history == ()


async def test_show_of_a_missing_record_says_what_to_do(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    with pytest.raises(EmptySelection, match="dlq ls --group"):
        await desk.show(group, 0, 999)

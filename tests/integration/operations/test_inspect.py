"""``ls`` and ``show`` on real dead-letter topics."""

from __future__ import annotations

import pytest

from consumers.operations import DeadLetterDesk, EmptySelection, UnknownGroup
from consumers.operations.reader import DeadLetterReader
from foundation.kafka import KafkaConnection
from tests.integration.operations.dead_letters import Failed, order_placed_type, seed


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
    assert group in [r.group for r in await desk.summary()]


async def test_ls_of_every_group_leaves_out_a_group_whose_topic_went_after_the_listing(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another deployment on the cluster deleting its topics between the listing and the read:
    # the listing names a group whose dead-letter topic is gone. (Only these two: a shared
    # broker holds hundreds of other sessions' groups, too many to read in a test.)
    await seed(kafka, group, Failed())
    monkeypatch.setattr(DeadLetterReader, "groups", lambda _: [f"gone-{group}", group])

    rows = await desk.summary()

    assert group in [r.group for r in rows]
    assert f"gone-{group}" not in [r.group for r in rows]


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

"""A batch's inbox rows in one statement: it answers exactly which ids were handled before, and
a record twice in one batch (or already in the inbox) never reaches its handler again."""

from __future__ import annotations

import uuid

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.batch import Item, apply_batch
from consumers.runtime.handlers import MessageContext
from consumers.runtime.inbox import forget_many, record_many
from consumers.runtime.policy import RetryPolicy
from events import KafkaRecord, decode_record
from events.schemas import OrderPlaced
from tests.integration.consumers.support import order_placed


async def _rows(sessions: async_sessionmaker[AsyncSession], group: str) -> list[uuid.UUID]:
    async with sessions() as session:
        result = await session.execute(
            text("SELECT event_id FROM messaging.inbox WHERE consumer = :g ORDER BY event_id"),
            {"g": group},
        )
        return list(result.scalars())


async def _record(
    sessions: async_sessionmaker[AsyncSession], group: str, ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    async with sessions() as session, session.begin():
        return await record_many(session, group, ids)


async def test_one_statement_answers_exactly_the_ids_handled_before(
    sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    group = f"inbox-{unique}"
    before = [uuid.uuid4() for _ in range(3)]
    new = [uuid.uuid4() for _ in range(4)]
    assert await _record(sessions, group, before) == set()

    seen = await _record(sessions, group, [new[0], before[1], new[1], new[2], before[2], new[3]])

    assert seen == {before[1], before[2]}
    assert await _rows(sessions, group) == sorted([*before, *new])
    assert await _record(sessions, f"other-{unique}", before) == set()  # per consumer group


async def test_an_id_twice_in_one_statement_is_one_row_and_not_reported(
    sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    group = f"inbox-{unique}"
    twice = uuid.uuid4()

    assert await _record(sessions, group, [twice, twice]) == set()
    assert await _rows(sessions, group) == [twice]


async def test_forget_many_takes_back_only_the_rows_named(
    sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    group = f"inbox-{unique}"
    ids = [uuid.uuid4() for _ in range(3)]
    async with sessions() as session, session.begin():
        await record_many(session, group, ids)
        await forget_many(session, group, ids[1:])

    assert await _rows(sessions, group) == [ids[0]]


def _item(record: KafkaRecord, offset: int, handler: object) -> Item:
    consumed = ConsumerRecord(
        record.topic, 0, offset, 0, 0, record.key, record.value, None, 0, 0, record.headers
    )
    decoded = decode_record(record.value, record.headers, record.topic)
    return Item(consumed, decoded, handler, None, decoded.envelope.event_id)  # type: ignore[arg-type]


async def test_a_batch_applies_each_event_once_whatever_its_copies(
    sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    group = f"inbox-{unique}"
    calls: list[uuid.UUID] = []

    async def handler(event: OrderPlaced, ctx: MessageContext) -> None:
        calls.append(ctx.envelope.event_id)

    handled_before, first = order_placed()
    await apply_batch(sessions, group, [_item(first, 0, handler)], RetryPolicy())
    twice, second = order_placed()
    once, third = order_placed()
    records = [second, first, third, second]  # a copy in the batch, one handled before
    items = [_item(r, offset, handler) for offset, r in enumerate(records, start=1)]

    applied = await apply_batch(sessions, group, items, RetryPolicy())

    assert calls == [handled_before, twice, once]
    assert [i.record.offset for i in applied.handled] == [1, 3]
    assert [i.record.offset for i in applied.duplicates] == [2, 4]
    assert sorted(await _rows(sessions, group)) == sorted([handled_before, twice, once])

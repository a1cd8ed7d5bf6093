"""``orderflow search rebuild``: a fresh index from the topics replaces the live one at once."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.search.rebuild import rebuild_index
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import create_topic, produce, scalar
from tests.integration.search.support import created, index, record, repriced, updated

Sessions = async_sessionmaker[AsyncSession]


async def test_a_rebuild_replaces_the_live_index_with_what_the_topics_say(
    sessions: Sessions, kafka: KafkaConnection, unique: str
) -> None:
    product, stray = uuid.uuid4(), uuid.uuid4()
    topic = await create_topic(kafka, f"test.search.rebuild.{unique}", partitions=2)
    await produce(
        kafka,
        topic,
        record(created(product, "Blue mug", price=1000), 1),
        record(updated(product, f"Rebuilt{unique} mug"), 2),
        record(repriced(product, 1300), 3),
    )
    # The live index is wrong (a bug indexed an old name at a high version) and has a stray row.
    await index(
        sessions, (updated(product, "Wrong name"), 9), (created(stray, f"Stray{unique}"), 1)
    )
    seen: list[tuple[int, int]] = []

    report = await rebuild_index(
        sessions,
        kafka,
        group=f"test-rebuild-{unique}",
        topics=(topic,),
        progress=lambda done, total: seen.append((done, total)),
    )

    assert (report.records, report.skipped) == (3, 0)
    assert seen[-1] == (3, 3)
    name = await scalar(sessions, "SELECT name FROM search.products WHERE id = :id", id=product)
    assert name == f"Rebuilt{unique} mug"
    assert (
        await scalar(sessions, "SELECT count(*) FROM search.products WHERE id = :id", id=stray) == 0
    )
    assert await _indexes(sessions) == {"pk_orders", "ix_orders_document", "pk_products",
                                        "ix_products_document"}  # fmt: skip
    assert await _leftovers(sessions) == 0


async def _indexes(sessions: Sessions) -> set[str]:
    async with sessions() as session:
        rows = await session.scalars(
            text("SELECT indexname FROM pg_indexes WHERE schemaname = 'search'")
        )
        return set(rows.all())


async def _leftovers(sessions: Sessions) -> int:
    sql = (
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'search' AND tablename LIKE '%rebuild%'"
    )
    return int(await scalar(sessions, sql))

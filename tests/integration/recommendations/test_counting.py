"""Each confirmed order's products count once, and are taken back once when it is cancelled
or refunded, whatever the order, duplication or replay of its events."""

from __future__ import annotations

import random
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.recommendations.handlers import HANDLERS
from consumers.runtime import MessageContext
from events import Envelope, IntegrationEvent
from tests.integration.recommendations.support import (
    Purchase,
    expected_pairs,
    pairs_of,
    purchase,
)

Sessions = async_sessionmaker[AsyncSession]
FATES = ("pending", "confirmed", "cancelled_unpaid", "cancelled_paid", "refunded")


async def _handle(session: AsyncSession, events: list[tuple[IntegrationEvent, Envelope]]) -> None:
    for event, envelope in events:
        await HANDLERS[type(event)](event, MessageContext(session, envelope))


async def test_confirmed_orders_count_and_withdrawn_ones_are_taken_back(
    sessions: Sessions,
) -> None:
    mug, plate, bowl = (f"{x}-{uuid.uuid4().hex[:6]}" for x in ("MUG", "PLATE", "BOWL"))
    purchases = [
        purchase(mug, plate),
        purchase(mug, plate, bowl),
        purchase(mug, bowl, fate="refunded"),
        purchase(plate, bowl, fate="cancelled_paid"),
        purchase(mug, bowl, fate="cancelled_unpaid"),
        purchase(mug, plate, fate="pending"),
    ]
    async with sessions.begin() as session:
        for p in purchases:
            await _handle(session, p.events())
    async with sessions() as session:
        found = await pairs_of(session, {mug, plate, bowl})
    assert found == {
        (mug, plate): 2, (plate, mug): 2,
        (mug, bowl): 1, (bowl, mug): 1,
        (plate, bowl): 1, (bowl, plate): 1,
    }  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fates=st.lists(st.sampled_from(FATES), min_size=1, max_size=6),
    seed=st.integers(min_value=0, max_value=2**32),
    copies=st.integers(min_value=1, max_value=3),
)
async def test_any_arrival_order_with_duplicates_counts_each_order_exactly_once(
    sessions: Sessions, fates: list[str], seed: int, copies: int
) -> None:
    rng = random.Random(seed)
    skus = [f"S{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    purchases: list[Purchase] = [
        purchase(*rng.sample(skus, rng.randint(1, 4)), fate=fate)  # type: ignore[arg-type]
        for fate in fates
    ]
    events = [e for p in purchases for e in p.events()] * copies
    rng.shuffle(events)
    async with sessions() as session, session.begin():
        await _handle(session, events)
        found = await pairs_of(session, set(skus))
        await session.rollback()
    assert found == expected_pairs(purchases)

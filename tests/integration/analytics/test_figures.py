"""The figures are computed from version-guarded facts: duplicates, replays and any arrival
order give the same numbers as the history applied once, in order."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.analytics import LIVE
from tests.integration.analytics.support import Sessions, apply, figures, figures_of
from tests.support.history import (
    EXPECTED_RATES,
    expected_currencies,
    expected_top_products,
    random_past_day,
    shop_day,
)


async def test_a_day_of_the_shop_gives_its_figures(sessions: Sessions) -> None:
    history = shop_day(random_past_day())
    await apply(sessions, history.envelopes)

    found = await figures(sessions, history.day)

    assert found["period"] == {"start": history.day, "end": history.day + timedelta(days=1)}
    assert found["currencies"] == expected_currencies()
    assert found["rates"] == EXPECTED_RATES
    assert found["top_products"] == expected_top_products(history)
    assert [(d["day"], d["currency"], d["orders_placed"]) for d in found["daily"]] == [
        (history.day, "EUR", 4),
        (history.day, "USD", 1),
    ]
    day_before = await figures(sessions, history.day - timedelta(days=1))
    assert day_before["daily"] == []
    assert day_before["currencies"] == []


async def test_applying_the_history_again_changes_nothing(sessions: Sessions) -> None:
    history = shop_day(random_past_day())
    await apply(sessions, history.envelopes)
    once = await figures(sessions, history.day)

    await apply(sessions, history.envelopes)  # a replay of every event
    await apply(sessions, reversed(history.envelopes))  # and again, newest first

    assert await figures(sessions, history.day) == once


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32), copies=st.integers(min_value=1, max_value=3))
async def test_any_arrival_order_with_duplicates_gives_the_same_figures(
    sessions: Sessions, seed: int, copies: int
) -> None:
    day = date(1989, 12, 31)  # before any random_past_day: nothing else writes to it
    history = shop_day(day)
    shuffled = [*history.envelopes] * copies
    random.Random(seed).shuffle(shuffled)
    async with sessions() as session, session.begin():
        # One transaction rolled back at the end: every example starts from empty facts.
        for event, envelope in shuffled:
            await LIVE.apply(session, event, envelope)
        found = await figures_of(session, day)
        await session.rollback()
    assert found["currencies"] == expected_currencies()
    assert found["rates"] == EXPECTED_RATES
    assert found["top_products"] == expected_top_products(history)

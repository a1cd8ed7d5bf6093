"""The in-memory session check keeps the contract of the PostgreSQL one; the cache in front of
the real one answers from memory for its TTL and asks again after it."""

from __future__ import annotations

import asyncio
import uuid

from domains.identity.api import FreshnessCache, SessionCheck
from tests.support.session_checks import InMemorySessions, SessionCheckContract


class TestInMemorySessions(SessionCheckContract):
    fake = InMemorySessions()

    async def check(self) -> SessionCheck:
        return self.fake

    async def open_session(self) -> tuple[uuid.UUID, uuid.UUID]:
        user_id = uuid.uuid4()
        return self.fake.open(user_id), user_id

    async def end_session(self, session_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.fake.end(session_id)


async def test_the_cache_answers_from_memory_within_its_ttl() -> None:
    asked: list[str] = []

    async def look_up(key: str) -> bool:
        asked.append(key)
        return True

    cache = FreshnessCache(look_up, ttl_seconds=60)
    answers = [await cache.answer("a"), await cache.answer("a"), await cache.answer("b")]

    assert answers == [True, True, True]
    assert asked == ["a", "b"]


async def test_a_zero_ttl_asks_every_time() -> None:
    asked: list[str] = []

    async def look_up(key: str) -> bool:
        asked.append(key)
        return len(asked) < 2

    cache = FreshnessCache(look_up, ttl_seconds=0)

    assert [await cache.answer("a"), await cache.answer("a")] == [True, False]


async def test_an_answer_older_than_the_ttl_is_asked_again() -> None:

    answers = iter([True, False])

    async def look_up(key: str) -> bool:
        return next(answers)

    cache = FreshnessCache(look_up, ttl_seconds=0.05)
    first = await cache.answer("s")
    await asyncio.sleep(0.1)

    assert (first, await cache.answer("s")) == (True, False)

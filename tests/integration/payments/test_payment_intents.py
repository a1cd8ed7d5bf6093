"""Payment intents on PostgreSQL: outcomes recorded once, with their events."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.payments.api import (
    Authorization,
    IntentStatus,
    Outcome,
    RefundReceipt,
    create_intent,
    get_intent,
    record_authorization,
    record_refund,
)
from domains.shared import Conflict
from tests.support.outbox import event_types

Sessions = async_sessionmaker[AsyncSession]


async def test_authorize_then_refund_records_both_with_their_events(sessions: Sessions) -> None:
    order_id = uuid.uuid4()
    async with sessions() as session:
        intent = await create_intent(session, order_id, amount_minor=2500, currency="EUR")
        await record_authorization(session, intent, Authorization(Outcome.AUTHORIZED, "auth_9"))
        await session.commit()
    async with sessions() as session:
        authorized = await get_intent(session, order_id)
        await record_refund(session, authorized, RefundReceipt("ref_1"), reason="damaged")
        await session.commit()
        refunded = await get_intent(session, order_id)

    assert authorized.status is IntentStatus.AUTHORIZED
    assert authorized.provider_reference == "auth_9"
    assert refunded.status is IntentStatus.REFUNDED
    assert await event_types(sessions, intent.id) == [
        "payments.PaymentAuthorized",
        "payments.PaymentRefunded",
    ]


async def test_an_outcome_cannot_be_recorded_twice(sessions: Sessions) -> None:
    order_id = uuid.uuid4()
    async with sessions() as session:
        intent = await create_intent(session, order_id, amount_minor=100, currency="EUR")
        await record_authorization(session, intent, Authorization(Outcome.DECLINED))
        await session.commit()

    async with sessions() as session:
        stale = await get_intent(session, order_id)
        with pytest.raises(Conflict) as refused:
            await record_authorization(session, stale, Authorization(Outcome.AUTHORIZED, "a"))
        with pytest.raises(Conflict) as raced:  # a stale copy loses on the version check
            await record_authorization(session, intent, Authorization(Outcome.AUTHORIZED, "a"))

    assert refused.value.code == "illegal_transition"
    assert raced.value.code == "concurrent_update"


async def test_one_intent_per_order(sessions: Sessions) -> None:
    order_id = uuid.uuid4()
    async with sessions() as session:
        await create_intent(session, order_id, amount_minor=100, currency="EUR")
        await session.commit()

    async with sessions() as session:
        with pytest.raises(Exception, match="uq_intents_order_id"):
            await create_intent(session, order_id, amount_minor=100, currency="EUR")

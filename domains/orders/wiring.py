"""What the orders routes and jobs need, built once per process by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.checkout import CheckoutService
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments


@dataclass(frozen=True)
class OrdersServices:
    """Sessions, the unit-of-work factory, the payment provider and the checkout service."""

    sessions: async_sessionmaker[AsyncSession]
    provider: payments.PaymentProvider
    uow: Callable[[], OrdersUnitOfWork]
    checkout: CheckoutService

    @classmethod
    def create(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        provider: payments.PaymentProvider,
        *,
        settle_within: timedelta = timedelta(minutes=15),
        start_within: timedelta = timedelta(seconds=15),
    ) -> OrdersServices:
        """Wire the services on ``sessions`` and ``provider``."""
        uow = partial(OrdersUnitOfWork, sessions)
        checkout = CheckoutService(
            uow, provider, settle_within=settle_within, start_within=start_within
        )
        return cls(sessions=sessions, provider=provider, uow=uow, checkout=checkout)

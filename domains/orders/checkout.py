"""Checkout: the synchronous critical path, kept narrow.

1. refuse fast while the payment circuit is open (a used key still replays its answer);
   ONE transaction: quote the cart and reserve its stock in one statement, claim the
   Idempotency-Key in the statement that creates the order ``pending`` (a used key rolls the
   reservation back and replays its stored answer or is refused), create the payment intent,
   write every outbox row in one INSERT;
2. authorize with the provider, outside any transaction, with a timeout — only if that call
   can start within ``start_within`` of step 1 (a stalled process leaves the payment to
   reconciliation, which may by then take a key the provider never saw for abandoned);
3. ONE transaction: confirm (commit stock) or cancel (release stock) or mark
   ``payment_pending`` for reconciliation, and store the answer for replays.

It returns outcomes (:class:`CheckoutAnswer`); the HTTP edge renders them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import structlog

from domains.catalog import api as catalog
from domains.orders import idempotency
from domains.orders.idempotency import REFUSED, CheckoutAnswer, KeyClaim, Refusal
from domains.orders.lines import OrderLine
from domains.orders.metrics import CHECKOUT_SECONDS
from domains.orders.model import Order
from domains.orders.settlement import Settlement, settle_order
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import DomainError, kind_of

log = structlog.get_logger("orderflow.checkout")

# Reconciliation and the checkout compare times from two clocks (the database's, this process's).
_CLOCK_MARGIN_SECONDS = 1.0


@dataclass(frozen=True)
class Checkout:
    """Command: buy ``items`` for ``customer_id``, paying with the provider's ``card_token``."""

    customer_id: uuid.UUID
    idempotency_key: str
    currency: str
    items: tuple[tuple[str, int], ...]
    card_token: str

    @property
    def request_hash(self) -> str:
        """The hash the Idempotency-Key is bound to (the customer is part of the key)."""
        return idempotency.request_hash(
            {"currency": self.currency, "items": self.items, "card_token": self.card_token}
        )


@dataclass(frozen=True)
class CheckoutResult:
    """The answer; ``replayed`` when it came from an earlier request with the same key."""

    answer: CheckoutAnswer
    replayed: bool = False

    @property
    def outcome(self) -> str:
        """The label of the checkout metric."""
        return "replayed" if self.replayed else self.answer.outcome


class CheckoutService:
    """Runs checkouts against one payment provider (its breaker is process-wide)."""

    def __init__(
        self,
        uow: Callable[[], OrdersUnitOfWork],
        provider: payments.PaymentProvider,
        *,
        settle_within: timedelta = timedelta(minutes=15),
        start_within: timedelta = timedelta(seconds=15),
    ) -> None:
        self._uow = uow
        self._provider = provider
        self._settle_within = settle_within
        self._start_within = start_within

    @property
    def reachable_for(self) -> timedelta:
        """How long after placing its order a checkout may still reach the provider: it starts
        its call within ``start_within``, its attempts start within the provider's budget and
        each lasts up to the call timeout (plus a second for clocks). After that, a key the
        provider never saw is one it never will."""
        provider = self._provider.settings
        window = provider.total_budget + provider.timeout + _CLOCK_MARGIN_SECONDS
        return self._start_within + timedelta(seconds=window)

    async def checkout(self, command: Checkout) -> CheckoutResult:
        """Run one checkout and record its latency by outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await self._checkout(command)
            outcome = result.outcome
            return result
        except payments.CircuitOpen:
            outcome = "circuit_open"
            raise
        finally:
            CHECKOUT_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    async def _checkout(self, command: Checkout) -> CheckoutResult:
        # Before the placing transaction begins: never later than the intent's created_at,
        # which reconciliation measures the payment's age from.
        began = time.monotonic()
        placed = await self._place(command)
        if isinstance(placed, CheckoutResult):
            return placed
        order, intent = placed
        answer = None
        if time.monotonic() - began <= self._start_within.total_seconds():
            answer = await self._authorize(intent, command.card_token)
        else:  # stalled: reconciliation may already take the key for unseen, so never call now
            log.warning("checkout_left_to_reconciliation", order_id=str(order.id))
        _, stored = await settle_order(self._uow(), order.id, answer, known=(order, intent))
        return CheckoutResult(stored)

    async def _stored(self, command: Checkout) -> CheckoutAnswer | None:
        async with self._uow() as uow:
            return await idempotency.stored_answer(
                uow.session, command.customer_id, command.idempotency_key, command.request_hash
            )

    async def _place(
        self, command: Checkout
    ) -> tuple[Order, payments.PaymentIntent] | CheckoutResult:
        if self._provider.breaker.state is payments.BreakerState.OPEN:
            # A used key still gets its answer; a new one waits for the provider to recover.
            stored = await self._stored(command)
            if stored is not None:
                return CheckoutResult(stored, replayed=True)
            self._refuse_while_circuit_open()
        try:
            async with self._uow() as uow:
                placed = await self._create(uow, command)
                if placed is not None:
                    await uow.commit()
        except DomainError as error:
            return await self._refused(command, error)
        if placed is None:
            return await self._replay(command)
        return placed

    async def _create(
        self, uow: OrdersUnitOfWork, command: Checkout
    ) -> tuple[Order, payments.PaymentIntent] | None:
        """Quote and reserve, then claim the key with the order's insert; None when the key was
        taken (the caller rolls the reservation back with the rest)."""
        order_id = uuid.uuid4()
        # Raises for a refused cart; the caller then rolls the whole transaction back.
        quote = await catalog.reserve_quoted(uow.session, order_id, command.items, command.currency)
        lines = tuple(OrderLine(q.sku, q.quantity, q.unit_price_minor) for q in quote.lines)
        order = Order.place(command.customer_id, quote.currency, lines, order_id=order_id)
        claim = KeyClaim(command.customer_id, command.idempotency_key, command.request_hash)
        if not await uow.orders.add_claiming(order, claim):
            return None
        intent = await payments.create_intent(
            uow.session,
            order.id,
            amount_minor=order.total_minor,
            currency=order.currency,
            settle_within=self._settle_within,
        )
        return order, intent

    async def _replay(self, command: Checkout) -> CheckoutResult:
        """The key was used before: replay its answer, or refuse (in progress, other body)."""
        stored = await self._stored(command)
        assert stored is not None  # the claim failed, so the row exists
        return CheckoutResult(stored, replayed=True)

    def _refuse_while_circuit_open(self) -> None:
        if self._provider.breaker.state is payments.BreakerState.OPEN:
            raise payments.CircuitOpen(
                "the payment provider is failing; checkout is paused, retry shortly",
                retry_after=self._provider.breaker.retry_after(),
            )

    async def _refused(self, command: Checkout, error: DomainError) -> CheckoutResult:
        """A cart the domain refused: store the refusal so retries get the same answer.

        The cart is quoted before the key is claimed, so a key already used (the same request
        answered before, another body, or one still running) keeps its own answer.
        """
        answer = CheckoutAnswer(REFUSED, refusal=Refusal(kind_of(error), error.code, error.message))
        async with self._uow() as uow:
            stored = await idempotency.store_completed(
                uow.session,
                command.customer_id,
                command.idempotency_key,
                command.request_hash,
                answer,
            )
            await uow.commit()
        if not stored:
            return await self._replay(command)
        return CheckoutResult(answer)

    async def _authorize(
        self, intent: payments.PaymentIntent, card_token: str
    ) -> payments.Authorization | None:
        """The provider's answer, or None when it is unknown (timeout, failure, open circuit)."""
        try:
            return await self._provider.authorize(
                intent.idempotency_key,
                amount_minor=intent.amount_minor,
                currency=intent.currency,
                card_token=card_token,
            )
        except payments.ProviderRejected as exc:
            return payments.Authorization(payments.Outcome.DECLINED, decline_code=exc.code)
        except payments.ProviderUnavailable:
            return None


__all__ = ["Checkout", "CheckoutAnswer", "CheckoutResult", "CheckoutService", "Settlement"]

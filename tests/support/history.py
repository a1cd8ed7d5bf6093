"""A small shop history as events: products, orders paid, declined, cancelled and refunded.

Every event carries the aggregate version the domain would give it and happens on one UTC day
the caller picks (a random day in the past keeps a test's figures apart from everybody
else's in a shared database). ``EXPECTED_*`` are the figures that history must give.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from events import Envelope, IntegrationEvent, KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas.catalog import ProductCreated
from events.schemas.orders import (
    OrderCancelled,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    OrderRefunded,
)
from events.schemas.payments import PaymentAuthorized, PaymentDeclined, PaymentRefunded


def random_past_day() -> date:
    """A UTC day between 1990 and 2019 nobody else's test picks (most likely)."""
    return date(1990, 1, 1) + timedelta(days=random.randrange(30 * 365))


def _new_tag() -> str:
    return uuid.uuid4().hex[:6].upper()


@dataclass
class History:
    """Events of one day, in the order the domains emitted them."""

    day: date
    tag: str = field(default_factory=_new_tag)
    envelopes: list[tuple[IntegrationEvent, Envelope]] = field(default_factory=list)

    def sku(self, letter: str) -> str:
        """This history's SKU for product ``letter`` (unique per history)."""
        return f"{letter}-{self.tag}"

    def add(self, event: IntegrationEvent, version: int) -> None:
        """Append ``event`` at aggregate ``version``, happening at the next minute of the day."""
        at = datetime.combine(self.day, time(9), UTC) + timedelta(minutes=len(self.envelopes))
        envelope = replace(new_envelope(event, aggregate_version=version), time=at)
        self.envelopes.append((event, envelope))

    def records(self) -> list[KafkaRecord]:
        """The events as the relay publishes them."""
        return [encode_record(envelope) for _, envelope in self.envelopes]

    def at(self, hour: int) -> datetime:
        """An instant of the day."""
        return datetime.combine(self.day, time(hour), UTC)


def shop_day(day: date) -> History:
    """Three products; five orders: two paid (one in USD), one refunded, one declined and
    cancelled, one paid then cancelled by the customer (and refunded)."""
    history = History(day)
    a, b, c = (history.sku(x) for x in "ABC")
    for sku, name in ((a, "Alpha mug"), (b, "Beta plate"), (c, "Gamma bowl")):
        history.add(_product(sku, name, history.at(8)), 1)
    _paid(history, [(a, 2, 1000), (b, 1, 500)])
    refunded = _paid(history, [(a, 1, 1000)])
    history.add(OrderRefunded(order_id=refunded[0], amount_minor=1000, reason="damaged"), 5)
    history.add(_refund(refunded, 1000), 3)
    declined = _placed(history, [(c, 3, 200)])
    history.add(_declined(declined, 600), 2)
    history.add(OrderCancelled(order_id=declined, reason="payment_declined", was_paid=False), 2)
    cancelled = _paid(history, [(b, 2, 500)])
    history.add(OrderCancelled(order_id=cancelled[0], reason="customer_request", was_paid=True), 3)
    history.add(_refund(cancelled, 1000), 3)
    _paid(history, [(a, 1, 1200)], currency="USD")
    return history


def expected_currencies() -> list[dict[str, object]]:
    """What ``shop_day`` gives per currency."""
    return [
        {"currency": "EUR", "orders_placed": 4, "orders_confirmed": 3, "orders_cancelled": 2,
         "orders_refunded": 1, "sales_minor": 4500, "average_basket_minor": 1500,
         "authorized_minor": 4500, "refunded_minor": 2000, "net_revenue_minor": 2500},
        {"currency": "USD", "orders_placed": 1, "orders_confirmed": 1, "orders_cancelled": 0,
         "orders_refunded": 0, "sales_minor": 1200, "average_basket_minor": 1200,
         "authorized_minor": 1200, "refunded_minor": 0, "net_revenue_minor": 1200},
    ]  # fmt: skip


EXPECTED_RATES = {"cancellation_rate": 0.4, "refund_rate": 0.25, "payment_decline_rate": 0.2}


def expected_top_products(history: History) -> list[dict[str, object]]:
    """Units of the orders still sold (confirmed, not cancelled, not refunded)."""
    a, b = history.sku("A"), history.sku("B")
    return [
        {"sku": a, "name": "Alpha mug", "units": 2, "orders": 1, "currency": "EUR",
         "sales_minor": 2000},
        {"sku": a, "name": "Alpha mug", "units": 1, "orders": 1, "currency": "USD",
         "sales_minor": 1200},
        {"sku": b, "name": "Beta plate", "units": 1, "orders": 1, "currency": "EUR",
         "sales_minor": 500},
    ]  # fmt: skip


Line = tuple[str, int, int]  # sku, quantity, unit price
Payment = tuple[uuid.UUID, uuid.UUID, str]  # order id, payment id, currency


def _product(sku: str, name: str, at: datetime) -> ProductCreated:
    return ProductCreated(
        product_id=uuid.uuid4(),
        sku=sku,
        name=name,
        description="",
        price_minor=1000,
        currency="EUR",
        active=True,
        created_at=at,
    )


def _placed(history: History, lines: list[Line], currency: str = "EUR") -> uuid.UUID:
    order_id = uuid.uuid4()
    history.add(
        OrderPlaced(
            order_id=order_id,
            customer_id=uuid.uuid4(),
            currency=currency,
            lines=tuple(OrderLine(sku=s, quantity=q, unit_price_minor=p) for s, q, p in lines),
            total_minor=sum(q * p for _, q, p in lines),
            placed_at=history.at(10),
        ),
        1,
    )
    return order_id


def _paid(history: History, lines: list[Line], currency: str = "EUR") -> Payment:
    order_id = _placed(history, lines, currency)
    total = sum(q * p for _, q, p in lines)
    payment = (order_id, uuid.uuid4(), currency)
    history.add(
        PaymentAuthorized(
            payment_id=payment[1],
            order_id=order_id,
            amount_minor=total,
            currency=currency,
            provider_reference="auth_1",
        ),
        2,
    )
    history.add(OrderConfirmed(order_id=order_id, payment_reference="auth_1", total_minor=total), 2)
    return payment


def _declined(order_id: uuid.UUID, amount: int) -> PaymentDeclined:
    return PaymentDeclined(
        payment_id=uuid.uuid4(),
        order_id=order_id,
        amount_minor=amount,
        currency="EUR",
        decline_code="card_declined",
    )


def _refund(payment: Payment, amount: int) -> PaymentRefunded:
    order_id, payment_id, currency = payment
    return PaymentRefunded(
        payment_id=payment_id,
        order_id=order_id,
        refund_id=uuid.uuid4(),
        amount_minor=amount,
        currency=currency,
        provider_reference="ref_1",
    )

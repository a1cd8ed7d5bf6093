"""Email templates and recipient addresses (pure functions)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from consumers.notifications import TEMPLATES, OrderFacts, message_id_for
from events import IntegrationEvent
from events.schemas.identity import SignUpAttempted
from events.schemas.orders import OrderCancelled, OrderConfirmed, OrderRefunded
from tests.support.recipients import PlaceholderDirectory

ORDER = OrderFacts(uuid.uuid4(), uuid.uuid4(), "EUR")


def test_every_order_email_has_a_template() -> None:
    expected: set[type[IntegrationEvent]] = {OrderConfirmed, OrderCancelled, OrderRefunded}
    assert expected <= set(TEMPLATES)


def test_confirmation_names_the_order_and_the_amount() -> None:
    event = OrderConfirmed(order_id=ORDER.order_id, payment_reference="auth_1", total_minor=2500)
    draft = TEMPLATES[OrderConfirmed](event, ORDER)

    assert draft.kind == "order_confirmation"
    assert draft.customer_id == ORDER.customer_id
    assert str(ORDER.order_id) in draft.subject
    assert "25.00 EUR" in draft.body


def test_cancellation_says_why_and_mentions_the_refund_when_paid() -> None:
    event = OrderCancelled(order_id=ORDER.order_id, reason="payment_declined", was_paid=True)
    draft = TEMPLATES[OrderCancelled](event, ORDER)

    assert "the payment was declined" in draft.body
    assert "refund" in draft.body


def test_cancellation_of_an_order_paid_upstream_sends_the_customer_to_the_seller() -> None:
    event = OrderCancelled(
        order_id=ORDER.order_id, reason="customer_request", was_paid=True, paid_upstream=True
    )
    body = TEMPLATES[OrderCancelled](event, ORDER).body

    assert "the refund is theirs to make" in body
    assert "on its way" not in body


def test_cancellation_of_an_unpaid_order_mentions_no_refund() -> None:
    event = OrderCancelled(order_id=ORDER.order_id, reason="customer_request", was_paid=False)
    assert "refund" not in TEMPLATES[OrderCancelled](event, ORDER).body


def test_refund_states_the_amount() -> None:
    event = OrderRefunded(order_id=ORDER.order_id, amount_minor=999, reason="damaged")
    assert "9.99 EUR" in TEMPLATES[OrderRefunded](event, ORDER).subject


async def test_placeholder_addresses_are_deterministic_and_undeliverable() -> None:
    customer = uuid.uuid4()
    directory, session = PlaceholderDirectory(), AsyncSession()  # an unbound session: no I/O
    address = await directory.email_for(customer, session)
    assert address == f"customer-{customer}@customers.example"
    assert address == await directory.email_for(customer, session)


def test_the_message_id_is_derived_from_the_event_id() -> None:
    event_id = uuid.uuid4()
    assert message_id_for(event_id, "order_refund") == f"<order_refund.{event_id}@orderflow>"


def test_a_sign_up_on_a_registered_address_tells_its_owner_and_points_to_a_reset() -> None:
    owner, at = uuid.uuid4(), datetime(2026, 11, 26, 8, 20, tzinfo=UTC)
    event = SignUpAttempted(attempt_id=uuid.uuid4(), user_id=owner, attempted_at=at)
    draft = TEMPLATES[SignUpAttempted](event, None)

    assert (draft.kind, draft.customer_id, draft.order_id) == ("sign_up_attempted", owner, None)
    assert draft.subject == "Someone tried to sign up with your address"
    assert "2026-11-26 08:20 UTC" in draft.body
    assert "nothing was created or changed" in draft.body
    assert "POST /v1/auth/password-reset" in draft.body

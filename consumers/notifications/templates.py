"""What each email says. Adding one is one function decorated with ``@template(EventType)``.

A template gets the event and the :class:`OrderFacts` of its order (customer, currency; None
for events without an ``order_id``) and returns a :class:`Draft`. A body may contain
``{reset_link}``, filled in at send time (see :mod:`consumers.notifications.resets`).
The consumer subscribes to the topic of every event that has a template.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from consumers.notifications.orders import OrderFacts
from consumers.notifications.resets import RESET_LINK
from events import IntegrationEvent
from events.schemas.identity import PasswordResetRequested, SignUpAttempted
from events.schemas.orders import (
    OrderCancellationRejected,
    OrderCancelled,
    OrderConfirmed,
    OrderRefunded,
)


@dataclass(frozen=True)
class Draft:
    """An email to record: its kind (part of the Message-ID), addressee, subject and body."""

    kind: str
    customer_id: uuid.UUID
    subject: str
    body: str
    order_id: uuid.UUID | None = None


Template = Callable[[Any, Any], Draft]
E = TypeVar("E", bound=IntegrationEvent)
Render = Callable[[E, Any], Draft]  # the second argument: OrderFacts, None without an order

TEMPLATES: dict[type[IntegrationEvent], Template] = {}


def template(event_type: type[E]) -> Callable[[Render[E]], Render[E]]:
    """Register the email template of ``event_type``; the consumer subscribes to it."""

    def register(render: Render[E]) -> Render[E]:
        TEMPLATES[event_type] = render
        return render

    return register


def money(minor: int, currency: str) -> str:
    """``1234, "EUR"`` → ``12.34 EUR``."""
    return f"{minor / 100:.2f} {currency}"


@template(OrderConfirmed)
def order_confirmation(event: OrderConfirmed, order: OrderFacts) -> Draft:
    """Payment went through: the order is confirmed."""
    total = money(event.total_minor, order.currency)
    return Draft(
        kind="order_confirmation",
        customer_id=order.customer_id,
        order_id=event.order_id,
        subject=f"Your order {event.order_id} is confirmed ({total})",
        body=f"Thank you! Your order {event.order_id} is confirmed.\n\nTotal paid: {total}\n",
    )


_CANCEL_REASONS = {
    "payment_declined": "the payment was declined",
    "payment_expired": "the payment did not complete in time",
    "payment_abandoned": "the payment could not be started, and nothing was charged",
    "customer_request": "you asked us to",
}


@template(OrderCancelled)
def order_cancellation(event: OrderCancelled, order: OrderFacts) -> Draft:
    """The order was cancelled; say why, and whether money comes back."""
    why = _CANCEL_REASONS.get(event.reason, event.reason.replace("_", " "))
    refund = _refund_sentence(event)
    return Draft(
        kind="order_cancellation",
        customer_id=order.customer_id,
        order_id=event.order_id,
        subject=f"Your order {event.order_id} was cancelled",
        body=f"We cancelled your order {event.order_id} because {why}.\n{refund}",
    )


def _refund_sentence(event: OrderCancelled) -> str:
    """Who gives the money back: us, or the seller the customer paid (we never had it)."""
    if not event.was_paid:
        return ""
    if event.paid_upstream:
        return (
            "\nYou paid the seller where you placed the order, not us: the refund is theirs "
            "to make. Please contact them about it.\n"
        )
    return "\nYou were charged; the refund is on its way.\n"


@template(OrderCancellationRejected)
def cancellation_rejected(event: OrderCancellationRejected, order: OrderFacts) -> Draft:
    """The parcel left before the cancellation could stop it: nothing was refunded."""
    return Draft(
        kind="order_cancellation_rejected",
        customer_id=order.customer_id,
        order_id=event.order_id,
        subject=f"Your order {event.order_id} could not be cancelled",
        body=(
            f"Your order {event.order_id} had already been handed to the carrier when your "
            "cancellation reached us, so it is on its way and you have not been refunded.\n\n"
            "Once it arrives, contact us and we will refund it.\n"
        ),
    )


@template(OrderRefunded)
def order_refund(event: OrderRefunded, order: OrderFacts) -> Draft:
    """Money goes back to the customer."""
    amount = money(event.amount_minor, order.currency)
    return Draft(
        kind="order_refund",
        customer_id=order.customer_id,
        order_id=event.order_id,
        subject=f"Refund of {amount} for order {event.order_id}",
        body=f"We refunded {amount} for your order {event.order_id} ({event.reason}).\n",
    )


@template(PasswordResetRequested)
def password_reset(event: PasswordResetRequested, _: None) -> Draft:
    """The reset link itself is filled in when the email is sent, never stored."""
    expires = f"{event.expires_at:%Y-%m-%d %H:%M} UTC"
    return Draft(
        kind="password_reset",
        customer_id=event.user_id,
        subject="Reset your orderflow password",
        body=(
            f"Someone (hopefully you) asked to reset your password.\n\n{RESET_LINK}\n\n"
            f"The link works once, until {expires}. If it was not you, ignore this email.\n"
        ),
    )


@template(SignUpAttempted)
def sign_up_attempted(event: SignUpAttempted, _: None) -> Draft:
    """The owner learns what the sign-up's answer told nobody, and how to get back in."""
    return Draft(
        kind="sign_up_attempted",
        customer_id=event.user_id,
        subject="Someone tried to sign up with your address",
        body=(
            f"Someone tried to create an orderflow account with this e-mail address on "
            f"{event.attempted_at:%Y-%m-%d %H:%M} UTC. The address already has an account, "
            "yours: nothing was created or changed, and they were not told it is registered.\n\n"
            "If it was you and you have forgotten your password, ask for a password reset "
            "link (POST /v1/auth/password-reset with this address) instead of signing up "
            "again. If it was not you, there is nothing to do.\n"
        ),
    )

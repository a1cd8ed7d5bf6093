"""Effect invariants: each event's effect happened (email, search row, shipment, saga step),
none happened twice, and a cancel never left an order refunded and shipped."""

from __future__ import annotations

import uuid

from consumers.notifications import message_id_for
from tests.faults.evidence import Evidence, OutboxRow

# The email each order event sends (consumers/notifications/templates.py).
EMAIL_KIND = {
    "orders.OrderConfirmed": "order_confirmation",
    "orders.OrderCancelled": "order_cancellation",
    "orders.OrderRefunded": "order_refund",
}
CONFIRMED = "orders.OrderConfirmed"
SHIPPED = frozenset({"shipped", "delivered"})
ENDED_WITHOUT_PARCEL = frozenset({"cancelled", "refunded"})


def emails_missing(e: Evidence) -> list[str]:
    """Every order event with an email template has its email at the SMTP sink."""
    return [
        f"order {row.key}: {row.describe()} has no {EMAIL_KIND[row.event_type]} email at the sink"
        for row in e.outbox
        if row.event_type in EMAIL_KIND and not e.emails[_message_id(row)]
    ]


def search_rows_wrong(e: Evidence) -> list[str]:
    """The search read model shows each order's current status."""
    findings = []
    for order_id, status in e.orders.items():
        indexed = e.search.get(order_id)
        if indexed != status:
            shown = "is missing" if indexed is None else f"says {indexed}"
            findings.append(f"order {order_id} is {status}, its search row {shown}")
    return findings


def fulfillment_missing(e: Evidence) -> list[str]:
    """Every confirmed order (not cancelled) has its shipment, shipped with one parcel, and
    the saga moved the order along with it."""
    findings = []
    for order_id in sorted(confirmed(e)):
        status = e.orders.get(order_id, "missing")
        shipment = e.shipments.get(order_id)
        if status in ENDED_WITHOUT_PARCEL:
            continue  # cancelled or refunded: see cancel_ship_race
        if shipment is None:
            findings.append(f"order {order_id} is {status}: confirmed, but it has no shipment")
        elif shipment not in SHIPPED or status != shipment:
            findings.append(f"order {order_id} is {status}, its shipment is {shipment}")
        elif not e.parcels.get(order_id):
            findings.append(f"order {order_id} is {status} without a parcel at the carrier")
    return findings


def emails_twice(e: Evidence) -> list[str]:
    """No email reached the sink more than once, but for the window SMTP leaves open (see
    :func:`emails_resent_after_sender_killed`)."""
    resent = set(emails_resent_after_sender_killed(e))
    return [
        f"{mid} reached the sink {n} times"
        for mid, n in e.emails.items()
        if n > 1 and mid not in resent
    ]


def emails_resent_after_sender_killed(e: Evidence) -> list[str]:
    """Emails sent exactly twice, once before and once after a kill -9 of their sender.

    A sender killed after the SMTP server's "OK" and before its ``sent`` mark was durable
    leaves the next attempt nothing to tell that the server has the message, so it sends it
    again with the same Message-ID (documented in ``consumers/notifications/sending.py``; SMTP
    has the same hole). Reported, not a failure; any other duplicate is.
    """
    return [
        mid
        for mid, arrivals in e.email_arrivals.items()
        if len(arrivals) == 2
        and any(min(arrivals) <= kill < max(arrivals) for kill in e.sender_kills)
    ]


def parcels_twice(e: Evidence) -> list[str]:
    """No order has more than one parcel booked."""
    return [
        f"order {order_id} has {len(parcels)} parcels: {[p.reference for p in parcels]}"
        for order_id, parcels in e.parcels.items()
        if len(parcels) > 1
    ]


def refunds_twice(e: Evidence) -> list[str]:
    """No order was refunded more than once."""
    return [f"order {o} was refunded {n} times" for o, n in e.refunds.items() if n > 1]


def cancel_ship_race(e: Evidence) -> list[str]:
    """A cancelled order never left the warehouse; a shipped order was never refunded."""
    findings = []
    for order_id, status in e.orders.items():
        parcels = e.parcels.get(order_id, [])
        sent = [p for p in parcels if p.status != "voided"]
        shipment = e.shipments.get(order_id)
        if status == "cancelled" and (shipment in SHIPPED or sent):
            findings.append(
                f"order {order_id} is cancelled (refunds: {e.refunds[order_id]}), but its "
                f"shipment is {shipment} and parcels {[(p.reference, p.status) for p in sent]}"
            )
        if status in SHIPPED and e.refunds[order_id]:
            findings.append(f"order {order_id} is {status} and was refunded")
    return findings


def confirmed(e: Evidence) -> set[str]:
    return {row.key for row in e.outbox if row.event_type == CONFIRMED}


def _message_id(row: OutboxRow) -> str:
    return message_id_for(uuid.UUID(row.event_id), EMAIL_KIND[row.event_type])

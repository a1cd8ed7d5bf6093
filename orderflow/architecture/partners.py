"""The systems outside orderflow it talks to, and who in orderflow talks to each.

The partners are adapters the wiring builds from settings (``orderflow/wiring/deployment.py``):
each names the settings field that points at it, and a unit test checks that field exists, so
a renamed or removed setting cannot leave a partner in the views that the code no longer has.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Partner:
    """An external system: its id in the diagrams, what it is, where the settings point at it."""

    id: str
    name: str
    purpose: str
    setting: tuple[str, str]  # (settings section, field)
    used_by: tuple[str, ...]  # containers: api, relay, consumer groups by name, jobs by name


PARTNERS = (
    Partner(
        "payment_provider",
        "Payment provider",
        "authorizes, captures and refunds card payments (tokenized cards only)",
        ("payments", "provider_url"),
        ("api", "orders-saga", "payments:reconcile"),
    ),
    Partner(
        "carrier",
        "Parcel carrier",
        "books labels, takes parcels, voids labels, reports deliveries",
        ("fulfillment", "carrier_url"),
        ("fulfillment", "fulfillment:tracking"),
    ),
    Partner(
        "smtp",
        "SMTP server",
        "delivers the shop's emails",
        ("smtp", "host"),
        ("notifications",),
    ),
)

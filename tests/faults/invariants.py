"""The promise, checked: every finding names the order, event or record and what was expected.

Each check returns a list of findings (empty when the invariant holds); ``figures`` runs all
of them (delivery in ``delivery_checks``, effects in ``effect_checks``, and here what is stuck,
what clients were told and which processes died). A scenario prints the counts as one JSON
line and fails on any non-zero count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from tests.faults import delivery_checks as delivery
from tests.faults import effect_checks as effects
from tests.faults.evidence import Evidence

Check = Callable[[Evidence], list[str]]

SETTLED = effects.SHIPPED | {"cancelled", "refunded"}


def orders_stuck(e: Evidence) -> list[str]:
    """Every order ended: shipped or delivered, cancelled or refunded."""
    return [
        f"order {order_id} is {status}"
        for order_id, status in e.orders.items()
        if status not in SETTLED
    ]


def keys_in_progress(e: Evidence) -> list[str]:
    """No checkout Idempotency-Key left in progress."""
    return list(e.keys_in_progress)


def acknowledged_lost(e: Evidence) -> list[str]:
    """An order the API confirmed (201) exists and was confirmed; a 402 was cancelled."""
    confirmed = effects.confirmed(e)
    findings = []
    for c in e.checkouts:
        if c.status == 201 and c.order_id not in confirmed:
            findings.append(f"key {c.key}: 201 for order {c.order_id}, never confirmed")
        if c.status == 402 and e.orders.get(c.order_id or "") not in (None, "cancelled"):
            findings.append(f"key {c.key}: 402, but order {c.order_id} is not cancelled")
    return findings


def checkouts_unanswered(e: Evidence) -> list[str]:
    """Every checkout the client retried with its key got a final answer in time."""
    return [
        f"key {c.key} ({c.customer}): no final answer; saw {dict(Counter(c.answers))}"
        for c in e.checkouts
        if not c.answered
    ]


def unexpected_exits(e: Evidence) -> list[str]:
    """No process died by itself."""
    return [
        f"{x.name} exited with status {x.returncode}: {_last_line(x.log_tail)}" for x in e.exits
    ]


def not_quiet(e: Evidence) -> list[str]:
    """The deployment came to rest (nothing left to publish, consume or send)."""
    return [] if e.quiet else [e.not_quiet_because]


CHECKS: dict[str, Check] = {
    "events_missing_on_kafka": delivery.events_missing_on_kafka,
    "order_violations": delivery.order_violations,
    "emails_missing": effects.emails_missing,
    "inbox_missing": delivery.inbox_missing,
    "records_skipped": delivery.records_skipped,
    "search_rows_wrong": effects.search_rows_wrong,
    "fulfillment_missing": effects.fulfillment_missing,
    "emails_twice": effects.emails_twice,
    "parcels_twice": effects.parcels_twice,
    "refunds_twice": effects.refunds_twice,
    "dead_letters": delivery.dead_letters,
    "quarantined": delivery.quarantined,
    "outbox_parked": delivery.outbox_parked,
    "outbox_unpublished": delivery.outbox_unpublished,
    "orders_stuck": orders_stuck,
    "keys_in_progress": keys_in_progress,
    "acknowledged_lost": acknowledged_lost,
    "checkouts_unanswered": checkouts_unanswered,
    "unexpected_exits": unexpected_exits,
    "not_quiet": not_quiet,
}


def figures(e: Evidence, checks: dict[str, Check] = CHECKS) -> dict[str, list[str]]:
    """Every check's findings, by name."""
    return {name: check(e) for name, check in checks.items()}


def counts(found: dict[str, list[str]]) -> dict[str, int]:
    """The figures as numbers."""
    return {name: len(findings) for name, findings in found.items()}


def failure_report(found: dict[str, list[str]], examples: int = 5) -> str:
    """The non-zero figures with their first findings (empty when all are zero)."""
    lines = []
    for name, findings in found.items():
        if findings:
            lines.append(f"{name}: {len(findings)}")
            lines += [f"  - {finding}" for finding in findings[:examples]]
    return "\n".join(lines)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"

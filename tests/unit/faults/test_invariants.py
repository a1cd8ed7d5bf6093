"""The fault suite's invariants on hand-built evidence: silent when the promise holds, and a
precise finding (which order, which event, what was expected) for each way it can break."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from consumers.notifications import message_id_for
from tests.faults.delivery_checks import dead_letter_causes
from tests.faults.effect_checks import cancel_ship_race, emails_resent_after_sender_killed
from tests.faults.evidence import Evidence, Group, OutboxRow, Parcel, Record
from tests.faults.invariants import counts, failure_report, figures
from tests.faults.load import Checkout
from tests.faults.processes import Exit

ORDER = str(uuid.uuid4())
PLACED, CONFIRMED = str(uuid.uuid4()), str(uuid.uuid4())
TOPIC = "orders.order.v1"


def _row(event_id: str, event_type: str, version: int) -> OutboxRow:
    return OutboxRow(event_id, TOPIC, ORDER, event_type, version)


def _record(event_id: str, version: int, offset: int, partition: int = 0) -> Record:
    return Record(TOPIC, partition, offset, ORDER, event_id, "ce", version)


def clean() -> Evidence:
    """One order placed, confirmed, emailed, indexed, shipped: everything as promised."""
    confirmation = message_id_for(uuid.UUID(CONFIRMED), "order_confirmation")
    checkout = Checkout("ada@example.com", "k1", "tok_visa", 0.0, ["201"], 201, ORDER)
    return Evidence(
        outbox=[_row(PLACED, "orders.OrderPlaced", 1), _row(CONFIRMED, "orders.OrderConfirmed", 2)],
        records=[_record(PLACED, 1, 0), _record(CONFIRMED, 2, 1)],
        orders={ORDER: "shipped"},
        search={ORDER: "shipped"},
        shipments={ORDER: "shipped"},
        parcels={ORDER: [Parcel("s1", "in_transit")]},
        emails=Counter({confirmation: 1}),
        inbox={("notifications", CONFIRMED)},
        groups=[Group("notifications", frozenset({TOPIC}), frozenset({"orders.OrderConfirmed"}))],
        checkouts=[checkout],
    )


def only(evidence: Evidence) -> dict[str, list[str]]:
    """The non-empty figures."""
    return {name: found for name, found in figures(evidence).items() if found}


def test_the_promise_kept_gives_all_zeros() -> None:
    found = figures(clean())
    assert set(counts(found).values()) == {0}
    assert failure_report(found) == ""


def test_an_event_missing_on_kafka_names_the_event_and_its_topic() -> None:
    evidence = clean()
    evidence.records = evidence.records[:1]
    assert only(evidence) == {
        "events_missing_on_kafka": [
            f"orders.OrderConfirmed {CONFIRMED} (key {ORDER}, v2) committed in the outbox "
            f"but not on {TOPIC}"
        ]
    }


def test_a_redelivered_duplicate_is_not_an_order_violation_but_an_overtaking_event_is() -> None:
    duplicated = clean()
    duplicated.records.append(_record(PLACED, 1, 2))  # v1 again after v2: at-least-once
    assert only(duplicated) == {}

    reordered = clean()
    reordered.records = [_record(CONFIRMED, 2, 0), _record(PLACED, 1, 1)]
    assert only(reordered)["order_violations"] == [
        f"{TOPIC}[0] key {ORDER}: version 1 (event {PLACED}) at offset 1 after version 2 at "
        "offset 0"
    ]


def test_a_key_on_two_partitions_is_an_order_violation() -> None:
    evidence = clean()
    evidence.records[1] = _record(CONFIRMED, 2, 0, partition=1)
    assert only(evidence)["order_violations"] == [f"{TOPIC} key {ORDER} is on partitions [0, 1]"]


def test_missing_effects_name_the_order_and_what_is_missing() -> None:
    evidence = clean()
    evidence.emails = Counter()
    evidence.inbox = set()
    evidence.search = {ORDER: "fulfilling"}
    evidence.shipments = {}
    found = only(evidence)
    assert found["emails_missing"] == [
        f"order {ORDER}: orders.OrderConfirmed {CONFIRMED} (key {ORDER}, v2) has no "
        "order_confirmation email at the sink"
    ]
    assert found["inbox_missing"] == [
        f"notifications never handled orders.OrderConfirmed {CONFIRMED} (key {ORDER}, v2) "
        "(never routed)"
    ]
    assert found["search_rows_wrong"] == [
        f"order {ORDER} is shipped, its search row says fulfilling"
    ]
    assert found["fulfillment_missing"] == [
        f"order {ORDER} is shipped: confirmed, but it has no shipment"
    ]


def test_a_record_committed_past_without_being_handled_or_routed_was_skipped() -> None:
    evidence = clean()
    evidence.inbox = set()
    evidence.committed = {("notifications", TOPIC, 0): 2}
    skipped = (
        f"notifications committed {TOPIC}[0] up to 2 past orders.OrderConfirmed {CONFIRMED} "
        f"(key {ORDER}, v2) at offset 1, which it never handled or routed"
    )
    assert only(evidence)["records_skipped"] == [skipped]

    evidence.retries = [Record("notifications.retry.1", 0, 0, ORDER, CONFIRMED, "ce", 2)]
    found = only(evidence)
    assert "records_skipped" not in found
    assert found["inbox_missing"][0].endswith("(routed to notifications.retry.1)")

    evidence.retries, evidence.committed = [], {("notifications", TOPIC, 0): 1}
    assert "records_skipped" not in only(evidence)  # not yet committed past it: still waiting


def test_a_saga_behind_its_shipment_is_reported_with_both_states() -> None:
    evidence = clean()
    evidence.orders = evidence.search = {ORDER: "fulfilling"}
    found = only(evidence)
    assert found["fulfillment_missing"] == [f"order {ORDER} is fulfilling, its shipment is shipped"]
    assert found["orders_stuck"] == [f"order {ORDER} is fulfilling"]


def test_effects_applied_twice_are_counted_per_email_parcel_and_refund() -> None:
    evidence = clean()
    mid = message_id_for(uuid.UUID(CONFIRMED), "order_confirmation")
    evidence.emails[mid] = 2
    evidence.parcels[ORDER].append(Parcel("s2", "in_transit"))
    evidence.refunds[ORDER] = 2
    found = only(evidence)
    assert found["emails_twice"] == [f"{mid} reached the sink 2 times"]
    assert found["parcels_twice"] == [f"order {ORDER} has 2 parcels: ['s1', 's2']"]
    assert found["refunds_twice"] == [f"order {ORDER} was refunded 2 times"]


def _sent_twice(first: datetime, second: datetime) -> tuple[Evidence, str]:
    evidence = clean()
    mid = message_id_for(uuid.UUID(CONFIRMED), "order_confirmation")
    evidence.emails[mid] = 2
    evidence.email_arrivals[mid] = [first, second]
    return evidence, mid


def test_an_email_sent_again_after_its_sender_was_killed_mid_send_is_reported_apart() -> None:
    sent = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    evidence, mid = _sent_twice(sent, sent + timedelta(seconds=40))
    evidence.sender_kills = [sent + timedelta(seconds=0.2)]
    assert emails_resent_after_sender_killed(evidence) == [mid]
    assert only(evidence) == {}


def test_an_email_sent_twice_with_no_kill_of_its_sender_between_is_a_duplicate() -> None:
    sent = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    evidence, mid = _sent_twice(sent, sent + timedelta(seconds=40))
    evidence.sender_kills = [sent - timedelta(seconds=5), sent + timedelta(seconds=41)]
    assert emails_resent_after_sender_killed(evidence) == []
    assert only(evidence)["emails_twice"] == [f"{mid} reached the sink 2 times"]


def test_three_copies_are_duplicates_whatever_was_killed() -> None:
    sent = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    evidence, mid = _sent_twice(sent, sent + timedelta(seconds=40))
    evidence.emails[mid] = 3
    evidence.email_arrivals[mid].append(sent + timedelta(seconds=80))
    evidence.sender_kills = [sent + timedelta(seconds=1), sent + timedelta(seconds=41)]
    assert only(evidence)["emails_twice"] == [f"{mid} reached the sink 3 times"]


def test_dead_letters_and_parked_rows_are_findings_with_their_cause() -> None:
    evidence = clean()
    failure = "permanent: DBAPIError: the database system is shutting down\nmore"
    letter = Record(
        "g.dlq", 0, 0, ORDER, CONFIRMED, "orderflow.orders.OrderConfirmed.v1", 2, failure
    )
    evidence.dead_letters = [letter, letter]
    evidence.outbox[0] = OutboxRow(PLACED, TOPIC, ORDER, "orders.OrderPlaced", 1, False, True)
    found = only(evidence)
    assert found["dead_letters"][0].startswith(
        f"g.dlq: orderflow.orders.OrderConfirmed.v1 {CONFIRMED} (key {ORDER}) — permanent"
    )
    assert found["outbox_parked"] == [
        f"orders.OrderPlaced {PLACED} (key {ORDER}, v1) parked in the outbox"
    ]
    assert dead_letter_causes(evidence) == {
        "g.dlq: permanent: DBAPIError: the database system is shutting down": 2
    }


def test_stuck_orders_keys_and_unanswered_clients_are_reported() -> None:
    evidence = clean()
    evidence.orders = evidence.search = {ORDER: "pending"}
    evidence.keys_in_progress = ["customer c key k1 (order o) in_progress since 10:00:00"]
    evidence.checkouts = [Checkout("ada@example.com", "k2", "tok_visa", 0.0, ["500", "409"])]
    evidence.outbox = evidence.outbox[:1]
    evidence.inbox = set()
    found = only(evidence)
    assert found["orders_stuck"] == [f"order {ORDER} is pending"]
    assert found["keys_in_progress"] == evidence.keys_in_progress
    assert found["checkouts_unanswered"] == [
        "key k2 (ada@example.com): no final answer; saw {'500': 1, '409': 1}"
    ]


@pytest.mark.parametrize("answer", [201, 402])
def test_an_answer_the_database_contradicts_is_a_lost_acknowledgement(answer: int) -> None:
    evidence = clean()
    evidence.outbox = evidence.outbox[:1]  # never confirmed
    evidence.orders = evidence.search = {ORDER: "pending"}
    evidence.checkouts = [
        Checkout("ada@example.com", "k1", "tok", 0.0, [str(answer)], answer, ORDER)
    ]
    expected = {
        201: f"key k1: 201 for order {ORDER}, never confirmed",
        402: f"key k1: 402, but order {ORDER} is not cancelled",
    }
    assert only(evidence)["acknowledged_lost"] == [expected[answer]]


def test_a_process_that_died_by_itself_is_reported_with_its_last_words() -> None:
    evidence = clean()
    evidence.exits = [Exit("relay-1", 1, 0.0, "starting\nOSError: connection refused\n")]
    assert only(evidence) == {
        "unexpected_exits": ["relay-1 exited with status 1: OSError: connection refused"]
    }


def test_cancelled_but_shipped_and_shipped_but_refunded_break_the_race_invariant() -> None:
    evidence = clean()
    assert cancel_ship_race(evidence) == []
    evidence.refunds[ORDER] = 1
    assert cancel_ship_race(evidence) == [f"order {ORDER} is shipped and was refunded"]
    evidence.orders = {ORDER: "cancelled"}
    assert cancel_ship_race(evidence) == [
        f"order {ORDER} is cancelled (refunds: 1), but its shipment is shipped and parcels "
        "[('s1', 'in_transit')]"
    ]
    evidence.shipments = {ORDER: "cancelled"}
    evidence.parcels = {ORDER: [Parcel("s1", "voided")]}
    assert cancel_ship_race(evidence) == []

"""A dead letter whose key, headers and payload carry terminal escape sequences is printed
with them escaped: ``dlq ls`` and ``dlq show`` cannot rewrite the operator's terminal."""

from __future__ import annotations

from events import KafkaRecord
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from producers import TopicSpec, ensure_topics
from tests.integration.operations.dead_letters import Failed, dead_letter_of, order_placed, publish
from tests.integration.operations.test_cli import orderflow

# Clear the screen, retitle the window, ring the bell; a right-to-left override; a C1 CSI.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\u202eevil\x9b31m"


def _hostile_dead_letter(group: str) -> tuple[str, KafkaRecord]:
    event_id, record = order_placed()
    letter = dead_letter_of(record, group, Failed(key=f"key{HOSTILE}"), 0)
    headers = [
        (name, f"{value.decode()}{HOSTILE}".encode() if name == "ce_type" else value)
        for name, value in letter.headers
    ]
    headers.append((f"x-note{HOSTILE}", f"value{HOSTILE}".encode()))
    value = f"not json {HOSTILE}\nsecond line".encode()
    return str(event_id), KafkaRecord(letter.topic, letter.key, value, headers)


async def test_dlq_ls_and_show_print_escape_sequences_escaped(
    settings: Settings, kafka: KafkaConnection, group: str
) -> None:
    event_id, letter = _hostile_dead_letter(group)
    await ensure_topics(kafka, [TopicSpec(letter.topic, 1)])
    await publish(kafka, [letter])

    listing = await orderflow(settings, "dlq", "ls", "--group", group)
    shown = await orderflow(settings, "dlq", "show", "--group", group, "--event-id", event_id)

    assert (listing.code, shown.code) == (0, 0), (listing, shown)
    for run in (listing, shown):
        assert not any(c in run.out for c in "\x1b\x07\u202e\x9b"), run.out
    escaped = r"\x1b[2J\x1b]0;pwned\x07\u202eevil\x9b31m"
    assert escaped in listing.out  # the event type column
    assert f"key{escaped}" in shown.out
    assert f"x-note{escaped}: value{escaped}" in shown.out
    assert f"not json {escaped}\n  second line" in shown.out  # payload lines keep their breaks

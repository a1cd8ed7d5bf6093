"""The subscriber kit (``orderflow-events``) and the server agree: same versions, same upcasting,
byte-for-byte the same records, and models generated from the committed schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import events.contracts  # noqa: F401  (registers every event)
import orderflow_events as kit
from events import decode_record, encode_record, new_envelope
from events.contracts.examples import example_payloads
from events.registry import EventSpec, registry

ROOT = Path(__file__).resolve().parents[3]
SPECS = list(registry)


def _kit_model(spec: EventSpec) -> type[kit.Event]:
    return kit.registry.model_for(spec.ce_type)


def test_the_generated_models_are_up_to_date_with_the_committed_schemas() -> None:
    done = subprocess.run(
        [sys.executable, "clients/python/generate.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr.decode()


def test_the_kit_knows_exactly_the_registered_versions() -> None:
    assert {m.event_spec.ce_type for m in kit.registry} == {s.ce_type for s in registry}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.ce_type)
def test_upcasting_gives_the_servers_result(spec: EventSpec) -> None:
    for payload in example_payloads(spec):
        newest, upcast = registry.upcast(spec, payload)
        kit_newest, kit_upcast = kit.registry.upcast(_kit_model(spec), payload)

        assert (kit_newest.event_spec.ce_type, kit_upcast) == (newest.ce_type, upcast)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.ce_type)
def test_a_record_built_by_the_kit_is_the_relays_byte_for_byte(spec: EventSpec) -> None:
    for payload in example_payloads(spec):
        envelope = new_envelope(spec.model.model_validate(payload), aggregate_version=4)
        relayed = encode_record(envelope)

        built = kit.encode(
            _kit_model(spec).model_validate(payload),
            event_id=envelope.event_id,
            time=envelope.time,
            aggregate_version=4,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id,
            traceparent=envelope.traceparent,
            producer_version=envelope.producer_version,
        )

        assert (built.topic, built.key, built.value) == (relayed.topic, relayed.key, relayed.value)
        assert built.header_list() == relayed.headers
        assert _dump(decode_record(built.value, built.header_list()).event) == _dump(
            kit.decode(relayed.value, built.headers).event
        )


def _dump(event: Any) -> Any:
    return event.model_dump(mode="json")

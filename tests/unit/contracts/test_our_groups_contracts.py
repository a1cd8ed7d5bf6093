"""The contracts of our own read-model groups say what their code reads, no more, no less.

``contracts/consumers/analytics.yaml`` and ``recommendations.yaml`` make ``orderflow events
check`` refuse a schema change that would break those groups; a contract that drifted from
the code would protect nothing. The analytics facts are pure, so the fields they read are
recorded by running them on proxies of real events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from consumers.analytics import ANALYSED_EVENTS
from consumers.analytics.facts import FACTS
from consumers.recommendations.handlers import HANDLERS
from events import IntegrationEvent, registry
from events.contracts.consumers import ConsumerContract, load_contracts
from tests.support.history import shop_day

pytestmark = pytest.mark.unit


def _contract(team: str) -> ConsumerContract:
    return next(c for c in load_contracts() if c.team == team)


def _subscribed(contract: ConsumerContract) -> dict[str, tuple[str, tuple[int, ...]]]:
    return {s.event: (s.topic, s.versions) for s in contract.subscriptions}


def _handled(types: tuple[type[IntegrationEvent], ...]) -> dict[str, tuple[str, tuple[int, ...]]]:
    found = {}
    for kind in types:
        spec = registry.spec_for(kind)
        versions = tuple(v.version for v in registry.versions(spec.event_type))
        found[spec.event_type] = (spec.topic, versions)
    return found


@pytest.mark.parametrize(
    ("team", "types"), [("analytics", ANALYSED_EVENTS), ("recommendations", tuple(HANDLERS))]
)
def test_each_group_subscribes_to_exactly_the_events_it_handles_in_every_version(
    team: str, types: tuple[type[IntegrationEvent], ...]
) -> None:
    assert _subscribed(_contract(team)) == _handled(types)


class _Reading:
    """Stands in for an event or a nested model and records each field read, by path."""

    def __init__(self, model: BaseModel, prefix: str, read: set[str]) -> None:
        self._model, self._prefix, self._read = model, prefix, read

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        path = f"{self._prefix}{name}"
        self._read.add(path)
        if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            return tuple(_Reading(item, f"{path}[].", self._read) for item in value)
        return value


def test_the_analytics_contract_lists_every_field_the_facts_read() -> None:
    at = datetime(2026, 11, 29, tzinfo=UTC)
    events = {type(e): e for e, _ in shop_day(date(2026, 11, 29)).envelopes}
    events |= _one_of_each_missing(events)
    contract = _contract("analytics")
    for kind, facts in FACTS.items():
        read: set[str] = set()
        facts(_Reading(events[kind], "", read), at)
        listed = next(
            s for s in contract.subscriptions if s.event == registry.spec_for(kind).event_type
        )
        assert read == set(listed.fields), kind.__name__


def _one_of_each_missing(
    events: dict[type[IntegrationEvent], IntegrationEvent],
) -> dict[type[IntegrationEvent], IntegrationEvent]:
    """The analysed events ``shop_day`` has none of, from their schema's example."""
    return {
        kind: kind.model_validate(kind.model_json_schema()["examples"][0])
        for kind in ANALYSED_EVENTS
        if kind not in events
    }

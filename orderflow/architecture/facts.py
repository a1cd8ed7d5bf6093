"""What the architecture views show, read from the code rather than written down by hand."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import domains
import events.schemas  # noqa: F401  (registers every event: the topics)
from consumers.runtime import Consumer, dead_letter_topic, retry_topics
from events import registry
from events.contracts.consumers import load_contracts
from migrations.metadata import target_metadata
from orderflow.periodic import PERIODIC_JOBS
from orderflow.settings import ConsumerSettings, Settings
from orderflow.wiring.deployment import deployed_consumers


@dataclass(frozen=True)
class Topic:
    """A topic of the event registry: who publishes to it and which events it carries."""

    name: str
    domain: str
    events: tuple[str, ...]
    received: bool = False  # written by upstream services, read by orderflow (the intake)


@dataclass(frozen=True)
class Group:
    """A consumer group ``orderflow run`` deploys (by its name without a deployment prefix)."""

    name: str
    package: str
    topics: tuple[str, ...]
    events: tuple[str, ...]
    retry_topics: tuple[str, ...]
    dead_letter_topic: str
    schema: str | None
    domains: tuple[str, ...]


@dataclass(frozen=True)
class SystemFacts:
    """Everything the views draw."""

    domains: tuple[str, ...]
    domain_routes: tuple[str, ...]
    topics: tuple[Topic, ...]
    groups: tuple[Group, ...]
    jobs: tuple[tuple[str, str], ...]
    schemas: tuple[str, ...]
    downstream_teams: tuple[str, ...]
    team_topics: tuple[tuple[str, str], ...]  # (team, topic) from the consumer contracts


def system_facts() -> SystemFacts:
    """The facts of this code base (independent of the environment it runs in)."""
    # Explicit consumer settings: a deployment's group prefix or retry tiers are not the
    # architecture; the defaults are.
    delays = ConsumerSettings.model_fields["retry_delays_seconds"].get_default(
        call_default_factory=True
    )
    settings = Settings(consumers=ConsumerSettings(group_prefix="", retry_delays_seconds=delays))
    tiers = len(delays)
    groups = tuple(_group(consumer, tiers) for consumer in deployed_consumers(settings).values())
    ours = {group.name for group in groups}
    contracts = load_contracts()
    return SystemFacts(
        domains=_domains(),
        domain_routes=tuple(d for d in _domains() if _has_module(f"domains.{d}", "http")),
        topics=_topics(),
        groups=tuple(sorted(groups, key=lambda g: g.name)),
        jobs=tuple((name, purpose) for name, (_, purpose) in PERIODIC_JOBS.items()),
        schemas=tuple(sorted({m.schema for m in target_metadata if m.schema})),
        downstream_teams=tuple(sorted({c.team for c in contracts} - ours)),
        team_topics=tuple(
            sorted(
                {
                    (c.team, s.topic)
                    for c in contracts
                    if c.team not in ours
                    for s in c.subscriptions
                }
            )
        ),
    )


def _domains() -> tuple[str, ...]:
    """The bounded contexts: the packages under ``domains/`` that have an ``api.py``."""
    return tuple(
        sorted(
            module.name
            for module in pkgutil.iter_modules(domains.__path__)
            if module.ispkg and _has_module(f"domains.{module.name}", "api")
        )
    )


def _has_module(package: str, name: str) -> bool:
    imported = importlib.import_module(package)
    return any(m.name == name for m in pkgutil.iter_modules(imported.__path__))


def _topics() -> tuple[Topic, ...]:
    by_topic: dict[str, list[str]] = {}
    domain_of: dict[str, str] = {}
    for spec in registry:
        by_topic.setdefault(spec.topic, [])
        if spec.event_type not in by_topic[spec.topic]:
            by_topic[spec.topic].append(spec.event_type)
        domain_of[spec.topic] = spec.domain
    received = {spec.topic for spec in registry if spec.received}
    return tuple(
        Topic(name, domain_of[name], tuple(sorted(types)), name in received)
        for name, types in sorted(by_topic.items())
    )


def _group(consumer: Consumer, tiers: int) -> Group:
    package = _package_of(next(iter(consumer.handlers.values())))
    metadata = getattr(importlib.import_module(package), "metadata", None)
    return Group(
        name=consumer.name,
        package=package,
        topics=tuple(sorted(consumer.topics)),
        events=tuple(sorted(registry.spec_for(kind).event_type for kind in consumer.handlers)),
        retry_topics=tuple(retry_topics(consumer.name, tiers)),
        dead_letter_topic=dead_letter_topic(consumer.name),
        schema=getattr(metadata, "schema", None),
        domains=_domains_called(package),
    )


def _domains_called(package: str) -> tuple[str, ...]:
    """The domains whose ``api`` the modules of ``package`` import."""
    found: set[str] = set()
    imported = importlib.import_module(package)
    modules = [imported] + [
        importlib.import_module(f"{package}.{m.name}")
        for m in pkgutil.iter_modules(imported.__path__)
    ]
    for module in modules:
        for value in vars(module).values():
            origin = (
                value.__name__
                if isinstance(value, ModuleType)
                else getattr(value, "__module__", "")
            )
            parts = str(origin).split(".")
            if len(parts) >= 2 and parts[0] == "domains" and parts[1] != "shared":
                found.add(parts[1])
    return tuple(sorted(found))


def _package_of(handler: Callable[..., Any]) -> str:
    """``consumers.<name>``: the package whose module defines ``handler``."""
    function = getattr(handler, "func", handler)  # a functools.partial binds its partner
    return ".".join(function.__module__.split(".")[:2])

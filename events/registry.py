"""The registry of integration events: (type, version) → model, topic, key field and upcasters.

Every version of an event is its own frozen model, registered with :meth:`EventRegistry.register`.
Versions of one type share a topic while they stay backward compatible; an upcaster turns the
JSON payload of version ``n`` into version ``n + 1`` (none is needed when the new version only
adds optional fields). Consumers always receive the newest version on the record's topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class IntegrationEvent(BaseModel):
    """Base of every published event: frozen, strict about unknown fields on write."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    event_version: ClassVar[int]


@dataclass(frozen=True)
class EventSpec:
    """How one version of one event type is published."""

    event_type: str
    version: int
    model: type[IntegrationEvent]
    topic: str
    key_field: str
    aggregate_type: str
    # Written by upstream services and read by orderflow (the intake), not published by it.
    received: bool = False

    @property
    def ce_type(self) -> str:
        """The CloudEvents ``type`` attribute: ``orderflow.<event type>.v<version>``."""
        return f"orderflow.{self.event_type}.v{self.version}"

    @property
    def domain(self) -> str:
        """The domain that emits the event (the part of the type before the dot)."""
        return self.event_type.split(".", 1)[0]

    def key_of(self, event: IntegrationEvent) -> str:
        """The record key (the aggregate id) of ``event``."""
        return str(getattr(event, self.key_field))


class UnknownEventType(LookupError):
    """No event of that type is registered."""


class UnknownEventVersion(LookupError):
    """The type is registered, but not in that version."""


E = TypeVar("E", bound=type[IntegrationEvent])


class EventRegistry:
    """All registered events; filled at import time by :meth:`register` and :meth:`upcaster`."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, int], EventSpec] = {}
        self._by_model: dict[type[IntegrationEvent], EventSpec] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        # Derived views, computed on first use and dropped by register(): decoding asks for
        # the newest version of every consumed record, so these must not be rebuilt per call.
        self._by_type: dict[str, tuple[EventSpec, ...]] = {}
        self._newest: dict[tuple[str, str | None], EventSpec] = {}
        self._by_ce_type: dict[str, tuple[EventSpec, EventSpec]] = {}

    def register(
        self, *, event_type: str, version: int, topic: str, key: str, aggregate_type: str
    ) -> Callable[[E], E]:
        """Class decorator registering one version of an event."""

        def decorate(model: E) -> E:
            if (event_type, version) in self._specs:
                raise ValueError(f"{event_type} v{version} is registered twice")
            if key not in model.__pydantic_fields__:
                raise ValueError(f"{model.__name__} has no key field {key!r}")
            model.event_type = event_type
            model.event_version = version
            spec = EventSpec(event_type, version, model, topic, key, aggregate_type)
            self._specs[(event_type, version)] = spec
            self._by_model[model] = spec
            self._forget_views()
            return model

        return decorate

    def register_received(
        self, *, event_type: str, version: int, topic: str, key: str, aggregate_type: str
    ) -> Callable[[E], E]:
        """Like :meth:`register`, for an event upstream services write and orderflow reads."""
        register = self.register(
            event_type=event_type,
            version=version,
            topic=topic,
            key=key,
            aggregate_type=aggregate_type,
        )

        def decorate(model: E) -> E:
            register(model)
            spec = replace(self._specs[(event_type, version)], received=True)
            self._specs[(event_type, version)] = self._by_model[model] = spec
            return model

        return decorate

    def upcaster(self, *, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Function decorator: ``f(payload of v<from_version>) -> payload of v<from_version+1>``.

        Payloads are JSON-mode dicts. Without an upcaster a step is the identity, which the
        compatibility gate makes safe (new versions only add optional fields).
        """

        def decorate(function: Upcaster) -> Upcaster:
            if (event_type, from_version) in self._upcasters:
                raise ValueError(f"{event_type} v{from_version} has two upcasters")
            self._upcasters[(event_type, from_version)] = function
            return function

        return decorate

    def spec_for(self, event: IntegrationEvent | type[IntegrationEvent]) -> EventSpec:
        """The spec of a registered model (or instance); raises for unregistered ones."""
        model = event if isinstance(event, type) else type(event)
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownEventType(f"{model.__name__} is not a registered event") from None

    def lookup(self, event_type: str, version: int) -> EventSpec:
        """The spec of ``event_type`` at ``version``."""
        spec = self._specs.get((event_type, version))
        if spec is not None:
            return spec
        if event_type in self._types():
            raise UnknownEventVersion(f"{event_type} has no version {version}")
        raise UnknownEventType(f"unknown event type {event_type!r}")

    def versions(self, event_type: str) -> list[EventSpec]:
        """Every version of ``event_type``, oldest first; raises for an unknown type."""
        specs = self._types().get(event_type)
        if not specs:
            raise UnknownEventType(f"unknown event type {event_type!r}")
        return list(specs)

    def latest(self, event_type: str, *, topic: str | None = None) -> EventSpec:
        """The newest version of ``event_type`` (on ``topic`` when given)."""
        newest = self._newest.get((event_type, topic))
        if newest is None:
            specs = [s for s in self.versions(event_type) if topic is None or s.topic == topic]
            if not specs:
                raise UnknownEventType(f"{event_type} is not published to {topic!r}")
            newest = self._newest[(event_type, topic)] = specs[-1]
        return newest

    def newest_of(self, spec: EventSpec) -> EventSpec:
        """The version ``spec`` upcasts to: the newest of its type on its topic."""
        return self.latest(spec.event_type, topic=spec.topic)

    def by_ce_type(self, ce_type: str) -> tuple[EventSpec, EventSpec] | None:
        """The version named by a CloudEvents ``type`` exactly as :attr:`EventSpec.ce_type`
        spells it, and the version it upcasts to; None for any other string (cached: decoding
        asks this for every consumed record)."""
        if not self._by_ce_type and self._specs:
            self._by_ce_type = {s.ce_type: (s, self.newest_of(s)) for s in self._specs.values()}
        return self._by_ce_type.get(ce_type)

    def upcast(self, spec: EventSpec, payload: Payload) -> tuple[EventSpec, Payload]:
        """Upcast ``payload`` of ``spec`` step by step to the newest version on its topic."""
        newest = self.newest_of(spec)
        for version in range(spec.version, newest.version):
            step = self._upcasters.get((spec.event_type, version))
            if step is not None:
                payload = step(payload)
        return newest, payload

    def event_types(self) -> list[str]:
        """Every registered event type, sorted."""
        return list(self._types())

    def topics(self) -> set[str]:
        """Every topic an event is published to."""
        return {spec.topic for spec in self._specs.values()}

    def __iter__(self) -> Iterator[EventSpec]:
        return (spec for specs in self._types().values() for spec in specs)

    def _types(self) -> dict[str, tuple[EventSpec, ...]]:
        """Every version of every type: types sorted, versions oldest first (cached)."""
        if not self._by_type and self._specs:
            by_type: dict[str, tuple[EventSpec, ...]] = {}
            for spec in sorted(self._specs.values(), key=lambda s: (s.event_type, s.version)):
                by_type[spec.event_type] = (*by_type.get(spec.event_type, ()), spec)
            self._by_type = by_type  # published whole, never half-built
        return self._by_type

    def _forget_views(self) -> None:
        self._by_type = {}
        self._newest = {}
        self._by_ce_type = {}

    def validate(self, event: IntegrationEvent) -> dict[str, Any]:
        """Re-validate an event against its registered model and return its JSON payload."""
        spec = self.spec_for(event)
        return spec.model.model_validate(event.model_dump()).model_dump(mode="json")


registry = EventRegistry()

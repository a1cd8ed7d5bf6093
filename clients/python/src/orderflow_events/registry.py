"""The kit's registry: every generated model by CloudEvents type, and upcasting to the newest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from orderflow_events.base import Event, EventSpec
from orderflow_events.errors import Reason, UndecodableRecord, UnknownEventVersion
from orderflow_events.models import EVENTS
from orderflow_events.upcasters import UPCASTERS, Payload, Upcaster


class EventRegistry:
    """Every known (type, version), looked up by ``ce_type`` in one dictionary access."""

    def __init__(
        self, models: Iterable[type[Event]], upcasters: dict[tuple[str, int], Upcaster]
    ) -> None:
        self._models = tuple(models)
        self._by_ce_type = {m.event_spec.ce_type: m for m in self._models}
        self._upcasters = dict(upcasters)
        self._newest: dict[tuple[str, str], type[Event]] = {}
        for model in self._models:
            spec = model.event_spec
            current = self._newest.get((spec.event_type, spec.topic))
            if current is None or current.event_spec.version < spec.version:
                self._newest[(spec.event_type, spec.topic)] = model
        self._types = {m.event_spec.event_type for m in self._models}

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._models)

    def model_for(self, ce_type: str | None) -> type[Event]:
        """The model of a ``ce_type`` header, or :class:`UndecodableRecord` saying why not."""
        model = self._by_ce_type.get(ce_type or "")
        if model is not None:
            return model
        if not ce_type:
            raise UndecodableRecord(Reason.CANNOT_DECODE, "the ce_type header is missing")
        event_type, version = parse_ce_type(ce_type)
        if event_type in self._types:
            known = sorted(
                m.event_spec.version for m in self._models if m.event_spec.event_type == event_type
            )
            raise UnknownEventVersion(
                f"{event_type} v{version} is newer than this kit (it knows v{known[-1]}): "
                "upgrade orderflow-events, then replay the record"
            )
        raise UndecodableRecord(Reason.UNKNOWN_TYPE, f"unknown event type {event_type!r}")

    def newest(self, model: type[Event]) -> type[Event]:
        """The version ``model``'s records are delivered as: the newest of its type on its topic."""
        return self._newest[(model.event_spec.event_type, model.event_spec.topic)]

    def is_newest(self, model: type[Event]) -> bool:
        """Whether ``model`` is the version its records are delivered as."""
        return self.newest(model) is model

    def upcast(self, model: type[Event], payload: Payload) -> tuple[type[Event], Payload]:
        """Upcast a JSON payload of ``model`` step by step to the newest version on its topic."""
        newest = self.newest(model)
        spec = model.event_spec
        for version in range(spec.version, newest.event_spec.version):
            step = self._upcasters.get((spec.event_type, version))
            if step is not None:
                payload = step(payload)
        return newest, payload

    def specs(self) -> list[EventSpec]:
        """Every known version's spec."""
        return [m.event_spec for m in self._models]


def parse_ce_type(ce_type: str) -> tuple[str, int]:
    """``orderflow.orders.OrderPlaced.v2`` → (``orders.OrderPlaced``, 2)."""
    prefix, _, rest = ce_type.partition(".")
    event_type, _, version = rest.rpartition(".v")
    if prefix != "orderflow" or not event_type or not version.isdigit():
        raise UndecodableRecord(
            Reason.UNKNOWN_TYPE,
            f"ce_type {ce_type!r} is not of the form orderflow.<domain>.<Event>.v<N>",
        )
    return event_type, int(version)


registry = EventRegistry(EVENTS, UPCASTERS)
"""Every event version this release of the kit knows."""

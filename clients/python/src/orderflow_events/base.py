"""What every generated event model shares: frozen pydantic models and their routing spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A frozen payload object; unknown fields are refused, as orderflow's own schemas do."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class EventSpec:
    """How one version of one event type is published (the ``x-orderflow`` block of its schema)."""

    event_type: str
    version: int
    topic: str
    key: str
    aggregate_type: str

    @property
    def ce_type(self) -> str:
        """The CloudEvents ``type``: ``orderflow.<event type>.v<version>``."""
        return f"orderflow.{self.event_type}.v{self.version}"

    @property
    def domain(self) -> str:
        """The emitting domain: the part of the event type before the dot."""
        return self.event_type.split(".", 1)[0]


class Event(Model):
    """One version of one orderflow integration event."""

    event_spec: ClassVar[EventSpec]

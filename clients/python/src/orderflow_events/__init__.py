"""orderflow-events: the typed subscriber kit for orderflow's Kafka events.

Every published event version as a frozen pydantic model (generated from orderflow's committed
JSON Schemas), upcasting of older versions, CloudEvents Kafka binary-mode decoding and encoding,
and typed metadata. FastStream integration: :mod:`orderflow_events.faststream`; test helpers:
:mod:`orderflow_events.testing`; dedupe (SQLAlchemy extra): :mod:`orderflow_events.dedupe`.
"""

from orderflow_events.base import Event, EventSpec, Model
from orderflow_events.cloudevents import Delivery, Record, decode, decode_event, encode, headers_of
from orderflow_events.errors import Reason, UndecodableRecord, UnknownEventVersion
from orderflow_events.metadata import EventMetadata, read_metadata
from orderflow_events.models import *  # noqa: F403  (every event model, generated)
from orderflow_events.models import __all__ as _models
from orderflow_events.registry import EventRegistry, registry

__all__ = [  # noqa: PLE0604  (the generated model names are strings)
    "Delivery",
    "Event",
    "EventMetadata",
    "EventRegistry",
    "EventSpec",
    "Model",
    "Reason",
    "Record",
    "UndecodableRecord",
    "UnknownEventVersion",
    "decode",
    "decode_event",
    "encode",
    "headers_of",
    "read_metadata",
    "registry",
    *_models,
]

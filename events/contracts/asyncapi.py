"""The AsyncAPI 3.0 document of every topic we publish, generated from the registry.

One channel per topic; one message per (type, version) with its Kafka key, the CloudEvents and
extension headers, the payload schema and an example; one operation per topic listing the
versions written today (older versions stay in the channel: they are still on the topic):
``send`` for what orderflow publishes, ``receive`` for what upstream services write to it.
"""

from __future__ import annotations

from collections import defaultdict
from importlib import metadata
from typing import Any

from events.contracts.examples import example_payloads
from events.contracts.fields import inline_refs
from events.contracts.headers import example_headers, headers_schema
from events.registry import EventRegistry, EventSpec, registry

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
DESCRIPTION = """\
Integration events of the orderflow order platform, one Kafka topic per aggregate type and
major version. Each record is a CloudEvents 1.0 event in **binary content mode**: the
attributes are `ce_*` headers, the value is the JSON payload, the key is the aggregate id
(one aggregate's events are ordered on one partition). `correlation_id`, `causation_id`,
`aggregate_version` and W3C `traceparent` are plain headers. `ce_id` is the idempotency key.
The `ce_producerversion` extension names the build that wrote the event
(`orderflow/<version>+<commit>`); it is optional: older releases did not send it.

Versions of an event on one topic are backward compatible (new optional fields only), so a
reader of the newest version reads every record on the topic. Be a tolerant reader: ignore
fields you do not know. A breaking change is published on a new major topic.

Channel addresses are the topics' **logical names**. A deployment may run in a namespace: then
every topic on its cluster is its topic prefix (`ORDERFLOW_TOPIC_PREFIX`, e.g. `blue.`) followed
by the logical name (`blue.orders.order.v1`), and its events carry its own `ce_source`
(`ORDERFLOW_EVENT_SOURCE` + `/<domain>`). Ask the deployment's operators for its prefix; the
subscriber kit takes it as `EventRouter(prefix=...)`.
"""

Document = dict[str, Any]


def message_id(spec: EventSpec) -> str:
    """``orders.OrderPlaced.v2``: the id of a message in the document."""
    return f"{spec.event_type}.v{spec.version}"


def build_asyncapi(events: EventRegistry = registry) -> Document:
    """The whole AsyncAPI document."""
    by_topic: dict[str, list[EventSpec]] = defaultdict(list)
    for spec in events:
        by_topic[spec.topic].append(spec)
    topics = sorted(by_topic)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "orderflow events", "version": _version(), "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "channels": {topic: _channel(topic, by_topic[topic]) for topic in topics},
        "operations": {
            _operation_id(t, by_topic[t]): _operation(t, by_topic[t], events) for t in topics
        },
        "components": {
            "schemas": {message_id(s): _payload_schema(s) for s in events},
            "messages": {message_id(s): _message(s, events) for s in events},
        },
    }


def _version() -> str:
    try:
        return metadata.version("orderflow")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _channel(topic: str, specs: list[EventSpec]) -> Document:
    types = sorted({s.event_type for s in specs})
    return {
        "address": topic,
        "title": topic,
        "description": f"Events of the {specs[0].aggregate_type} aggregate: {', '.join(types)}.",
        "messages": {
            message_id(s): {"$ref": f"#/components/messages/{message_id(s)}"} for s in specs
        },
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _received(specs: list[EventSpec]) -> bool:
    return any(spec.received for spec in specs)


def _operation_id(topic: str, specs: list[EventSpec]) -> str:
    return f"{'receive' if _received(specs) else 'send'}.{topic}"


def _operation(topic: str, specs: list[EventSpec], events: EventRegistry) -> Document:
    current = [s for s in specs if events.latest(s.event_type, topic=topic) is s]
    if _received(specs):
        action, title = "receive", f"Read from {topic}"
        summary = "Upstream services write these; orderflow's intake consumer reads them."
    else:
        action, title = "send", f"Publish to {topic}"
        summary = "orderflow's outbox relay publishes these messages (newest versions)."
    return {
        "action": action,
        "title": title,
        "summary": summary,
        "channel": {"$ref": f"#/channels/{topic}"},
        "messages": [{"$ref": f"#/channels/{topic}/messages/{message_id(s)}"} for s in current],
    }


def _payload_schema(spec: EventSpec) -> Document:
    schema = inline_refs(spec.model.model_json_schema(mode="validation"))
    schema.pop("examples", None)  # they are message examples, with headers
    return schema


def _message(spec: EventSpec, events: EventRegistry) -> Document:
    doc = spec.model.__doc__ or spec.event_type
    newest = events.latest(spec.event_type, topic=spec.topic)
    message: Document = {
        "name": spec.event_type.split(".", 1)[-1],
        "title": f"{spec.event_type} v{spec.version}",
        "summary": doc.strip().splitlines()[0],
        "description": _describe(spec, newest, doc),
        "contentType": "application/json",
        "headers": headers_schema(spec),
        "payload": {"$ref": f"#/components/schemas/{message_id(spec)}"},
        "correlationId": {"location": "$message.header#/correlation_id"},
        "bindings": {"kafka": {"key": _key_schema(spec), "bindingVersion": KAFKA_BINDING_VERSION}},
        "examples": _examples(spec),
    }
    if newest is not spec:
        message["deprecated"] = True
    return message


def _describe(spec: EventSpec, newest: EventSpec, doc: str) -> str:
    text = " ".join(line.strip() for line in doc.strip().splitlines())
    if newest is spec:
        return f"{text}\n\nWritten today as `{spec.ce_type}`."
    return (
        f"{text}\n\nNo longer written; records of `{spec.ce_type}` may still be on the topic. "
        f"They read as v{newest.version} (every field added since is optional)."
    )


def _key_schema(spec: EventSpec) -> Document:
    field = spec.model.model_json_schema()["properties"][spec.key_field]
    return {
        "type": "string",
        **({"format": field["format"]} if "format" in field else {}),
        "description": f"The aggregate id: the payload's `{spec.key_field}`, as UTF-8 text.",
    }


def _examples(spec: EventSpec) -> list[Document]:
    return [
        {
            "name": f"{message_id(spec)}.example{index}",
            "summary": f"A {spec.event_type} v{spec.version} record",
            "headers": example_headers(spec, payload),
            "payload": payload,
        }
        for index, payload in enumerate(example_payloads(spec), start=1)
    ]

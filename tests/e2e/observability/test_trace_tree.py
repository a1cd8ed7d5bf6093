"""One checkout is one trace: HTTP → provider → outbox → relay → Kafka → every consumer group.

The API, the fake payment provider and the fake carrier are served by uvicorn on free ports;
the relay and the groups (notifications over a real SMTP sink, search, fulfillment and the
orders saga) run as tasks in this event loop, on the real PostgreSQL and Kafka. Spans go to
the SDK's in-memory exporter. The partners record the ``traceparent`` they were sent: what
they received must be the context of our client span for that call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from consumers.fulfillment import CarrierConfig, HttpCarrier, fulfillment_consumer
from consumers.notifications import SmtpConfig, SmtpMailer, notifications_consumer
from consumers.orders_saga import orders_saga_consumer
from consumers.runtime import Consumer
from consumers.search import search_consumer
from devtools.fakes.carrier import CarrierState, create_carrier_app
from devtools.fakes.payment_provider import ProviderState, create_provider_app
from devtools.fakes.smtp_sink import SmtpSink
from domains.payments import api as payments
from foundation.kafka import KafkaConnection
from orderflow.http import create_app
from orderflow.processes import run_relay
from orderflow.settings import Settings
from orderflow.topics import Topics
from orderflow.wiring.deployment import in_deployment
from tests.e2e.checkout.checks import order_status
from tests.integration.consumers.support import FAST, RunningConsumer
from tests.kafka_helpers import start_at_end
from tests.support.polling import eventually
from tests.support.processes import serving
from tests.support.recipients import PlaceholderDirectory
from tests.support.shop import app_settings, cart, key, new_product, shopper_at
from tests.support.tracing import recorded_spans, traceparent

Sessions = async_sessionmaker[AsyncSession]
pytestmark = pytest.mark.e2e


@dataclass
class Heard:
    """The ``traceparent`` headers a partner received, by request path."""

    traceparents: dict[str, list[str]] = field(default_factory=dict)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                headers = dict(scope["headers"])
                value = headers.get(b"traceparent", b"").decode()
                self.traceparents.setdefault(scope["path"], []).append(value)
            await app(scope, receive, send)

        return recording


@dataclass(frozen=True)
class Shop:
    api: str
    groups: dict[str, Consumer]
    provider: Heard
    carrier: Heard


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test, into memory; off again afterwards."""
    with recorded_spans() as exporter:
        yield exporter


@pytest.fixture
async def shop(
    spans: InMemorySpanExporter,
    settings: Settings,
    engine: AsyncEngine,
    sessions: Sessions,
    kafka: KafkaConnection,
    unique: str,
) -> AsyncIterator[Shop]:
    provider_heard, carrier_heard = Heard(), Heard()
    async with contextlib.AsyncExitStack() as stack:
        sink = await SmtpSink().start()
        stack.push_async_callback(sink.stop)
        provider = await stack.enter_async_context(
            serving(provider_heard.wrap(create_provider_app(ProviderState())))
        )
        carrier = await stack.enter_async_context(
            serving(carrier_heard.wrap(create_carrier_app(CarrierState())))
        )
        api = await stack.enter_async_context(
            serving(create_app(engine, settings=app_settings(settings, provider)))
        )
        refunds = payments.PaymentProvider(payments.ProviderSettings(base_url=provider))
        stack.push_async_callback(refunds.aclose)
        mailer = SmtpMailer(SmtpConfig(port=sink.port, timeout_seconds=5))
        made = {
            "notifications": notifications_consumer(mailer, PlaceholderDirectory()),
            "search": search_consumer(),
            "fulfillment": fulfillment_consumer(HttpCarrier(CarrierConfig(base_url=carrier))),
            "orders-saga": orders_saga_consumer(refunds),
        }
        groups = {
            role: in_deployment(settings, replace(group, name=f"trace-{role}-{unique}"))
            for role, group in made.items()
        }
        for group in groups.values():
            await start_at_end(kafka, group)
            await stack.enter_async_context(RunningConsumer(group, sessions, kafka, FAST))
        stop = asyncio.Event()
        relay = asyncio.create_task(run_relay(settings, Topics(settings, []), stop))
        try:
            yield Shop(api, groups, provider_heard, carrier_heard)
        finally:
            stop.set()
            await asyncio.wait_for(relay, 30)


async def test_one_checkout_is_one_trace_that_reaches_every_consumer_group(
    shop: Shop,
    spans: InMemorySpanExporter,
    sessions: Sessions,
    settings: Settings,
) -> None:
    sku = await new_product(sessions, stock=5)
    async with shopper_at(shop.api, sessions, settings) as alice:
        response = await alice.client.post("/v1/checkout", json=cart(sku, 1), headers=key())
    assert response.status_code == 201, response.text
    order_id = response.json()["order_id"]
    await eventually(
        lambda: _shipped(sessions, order_id), timeout=60, what="order shipped (saga done)"
    )
    server = _checkout_span(spans.get_finished_spans())
    trace_id = server.context.trace_id
    groups = {role: group.name for role, group in shop.groups.items()}

    async def reached() -> bool:
        tree = _trace(spans, trace_id)
        handled = {_group(s) for s in tree.consumers()}
        return set(groups.values()) <= handled

    await eventually(reached, timeout=30, what="a process span of every group in the trace")
    tree = _trace(spans, trace_id)

    # The provider call: a client span under the request, and the provider got its context.
    (provider_call,) = [s for s in tree.children(server) if s.kind is SpanKind.CLIENT]
    assert shop.provider.traceparents, "the provider was never called"
    assert traceparent(provider_call) in [
        v for vs in shop.provider.traceparents.values() for v in vs
    ]

    # The outbox rows carry the context of their create span, a child of the request span.
    creates = [s for s in tree.spans if s.kind is SpanKind.PRODUCER]
    assert {s.parent.span_id for s in creates if s.parent} >= {server.context.span_id}
    rows = await _row_traceparents(sessions, order_id)
    assert rows
    assert rows <= {traceparent(s) for s in creates}

    # A relay publish span per record, linked (not parented) to its creation context.
    published = [s for s in spans.get_finished_spans() if s.name.startswith("publish ")]
    linked = {link.context.span_id for s in published for link in s.links}
    assert {s.context.span_id for s in creates} <= linked
    assert all(s.parent is None for s in published)

    # Every group processed a record as the child of that record's create span.
    create_ids = {s.context.span_id for s in creates}
    for group in groups.values():
        processed = [s for s in tree.consumers() if _group(s) == group]
        assert processed, group
        assert all(s.parent is not None and s.parent.span_id in create_ids for s in processed)

    # The carrier call, made by fulfillment's after-commit effect, is in the same trace and
    # sent its context to the carrier.
    carrier_calls = [
        s for s in tree.spans if s.kind is SpanKind.CLIENT and s.name.startswith(("POST", "PUT"))
    ]
    sent = {v for vs in shop.carrier.traceparents.values() for v in vs}
    assert any(traceparent(s) in sent for s in carrier_calls), (carrier_calls, sent)


def _checkout_span(finished: tuple[ReadableSpan, ...]) -> ReadableSpan:
    (server,) = [
        s
        for s in finished
        if s.kind is SpanKind.SERVER and (s.attributes or {}).get("http.route") == "/v1/checkout"
    ]
    return server


@dataclass(frozen=True)
class _Tree:
    spans: list[ReadableSpan]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        return [s for s in self.spans if s.parent and s.parent.span_id == parent.context.span_id]

    def consumers(self) -> list[ReadableSpan]:
        return [s for s in self.spans if s.kind is SpanKind.CONSUMER]


def _trace(exporter: InMemorySpanExporter, trace_id: int) -> _Tree:
    return _Tree([s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id])


def _group(span: ReadableSpan) -> object:
    return (span.attributes or {}).get("messaging.consumer.group.name")


async def _shipped(sessions: Sessions, order_id: str) -> bool:
    return await order_status(sessions, order_id) == "shipped"


async def _row_traceparents(sessions: Sessions, order_id: str) -> set[str]:
    sql = text(
        "SELECT headers->>'traceparent' FROM outbox.events "
        "WHERE key = :id AND event_type LIKE 'orders.%'"
    )
    async with sessions() as session:
        return {str(v) for v in (await session.execute(sql, {"id": order_id})).scalars()}

"""Validation at write time: an unknown or invalid event never becomes an envelope."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from events import IntegrationEvent, new_envelope
from events.registry import UnknownEventType
from events.schemas import OrderPlaced
from tests.unit.events.factories import order_placed


class NotRegistered(IntegrationEvent):
    """An event nobody registered."""

    thing_id: uuid.UUID


def test_an_unregistered_event_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="NotRegistered is not a registered event"):
        new_envelope(NotRegistered(thing_id=uuid.uuid4()), aggregate_version=1)


def test_an_invalid_payload_is_refused_even_when_validation_was_bypassed() -> None:
    good = order_placed()
    bad = OrderPlaced.model_construct(**{**dict(good), "currency": "euro"})

    with pytest.raises(ValidationError, match="currency"):
        new_envelope(bad, aggregate_version=1)


def test_a_valid_event_gets_its_registered_routing() -> None:
    event = order_placed()

    envelope = new_envelope(event, aggregate_version=4)

    assert envelope.topic == "orders.order.v1"
    assert envelope.key == str(event.order_id)
    assert envelope.source == "/orderflow/orders"
    assert OrderPlaced.model_validate_json(envelope.payload) == event

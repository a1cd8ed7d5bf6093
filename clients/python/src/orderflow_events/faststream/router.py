"""``EventRouter``: typed FastStream subscriptions to orderflow's topics for one consumer group."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage

from orderflow_events.base import Event
from orderflow_events.faststream.dead_letters import dead_letters
from orderflow_events.faststream.decoding import (
    check_ce_type,
    decode_message,
    is_event_type,
    is_none_of,
    skip_body,
)
from orderflow_events.faststream.injection import pass_metadata
from orderflow_events.registry import EventRegistry, registry

if TYPE_CHECKING:
    from fast_depends.dependencies import Dependant
    from faststream._internal.endpoint.call_wrapper import HandlerCallWrapper
    from faststream.kafka.subscriber.usecase import LogicSubscriber

F = TypeVar("F", bound=Callable[..., Any])
OffsetReset = Literal["earliest", "latest", "none"]


@dataclass
class _Topic:
    """One FastStream subscriber per topic, shared by the handlers of its event types."""

    subscriber: LogicSubscriber[Any]
    handled: set[str] = field(default_factory=set)


class EventRouter:
    """Typed subscriptions to orderflow's events for one consumer group.

    ``@router.subscriber(OrderConfirmed)`` registers a handler that receives the typed event,
    upcast to the newest version, and (through :data:`Metadata`) its metadata. Records of the
    topic that no handler asked for are acknowledged and skipped; records that cannot be
    decoded, and versions newer than the kit, go to ``dead_letter_topic`` with the reason.

    Args:
        group_id: the consumer group: your service's name.
        prefix: the deployment's topic prefix, prepended to every topic.
        dead_letter_topic: where undecodable records go; default ``<group_id>.dlq``.
        ack_policy: FastStream's; by default a failing handler gets the record again.
        auto_offset_reset: where a new group starts: ``earliest`` reads the topic's history.
    """

    def __init__(
        self,
        *,
        group_id: str,
        prefix: str = "",
        dead_letter_topic: str | None = None,
        ack_policy: AckPolicy = AckPolicy.NACK_ON_ERROR,
        auto_offset_reset: OffsetReset = "earliest",
        events: EventRegistry = registry,
    ) -> None:
        self.group_id = group_id
        self.dead_letter_topic = dead_letter_topic or f"{group_id}.dlq"
        self.kafka = KafkaRouter(
            prefix=prefix, middlewares=(dead_letters(self.dead_letter_topic, group_id),)
        )
        """The FastStream router: ``broker.include_router(router.kafka)``."""
        self._ack_policy = ack_policy
        self._offset_reset: OffsetReset = auto_offset_reset
        self._events = events
        self._topics: dict[str, _Topic] = {}

    def subscriber(
        self, event: type[Event], *, dependencies: Sequence[Dependant] = ()
    ) -> Callable[[Callable[..., Any]], HandlerCallWrapper[..., Any]]:
        """Decorator: handle every record of ``event``'s type (any version, upcast)."""
        if not self._events.is_newest(event):
            newest = self._events.newest(event)
            raise TypeError(
                f"{event.__name__} is an older version: subscribe to {newest.__name__} "
                "(records of older versions arrive upcast to it)"
            )
        topic = self._topic(event.event_spec.topic)
        topic.handled.add(event.event_spec.event_type)
        register = topic.subscriber(
            filter=is_event_type(event.event_spec.event_type),
            decoder=decode_message,
            dependencies=dependencies,
        )

        def decorate(handler: Callable[..., Any]) -> HandlerCallWrapper[..., Any]:
            return register(pass_metadata(handler))

        return decorate

    def _topic(self, name: str) -> _Topic:
        topic = self._topics.get(name)
        if topic is None:
            subscriber = self.kafka.subscriber(
                name,
                group_id=self.group_id,
                ack_policy=self._ack_policy,
                auto_offset_reset=self._offset_reset,
            )
            topic = self._topics[name] = _Topic(subscriber)
            subscriber(filter=is_none_of(topic.handled), decoder=skip_body)(_not_subscribed())
        return topic


def _not_subscribed() -> Callable[[KafkaMessage], Any]:
    """A handler of its own for each topic (FastStream keeps state on handler functions)."""

    async def not_subscribed(message: KafkaMessage) -> None:
        """Records no handler asked for: skipped unless they are not orderflow events at all."""
        check_ce_type(message.headers)

    return not_subscribed

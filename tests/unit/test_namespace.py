"""A deployment's namespace: every topic and group carries its prefix; what an operator names
is taken into the namespace, once."""

from __future__ import annotations

from foundation.namespace import DEFAULT_NAMESPACE, Namespace

BLUE = Namespace(topic_prefix="blue.", event_source="/blue/orderflow")


def test_topics_groups_and_sources_carry_the_namespace() -> None:
    assert BLUE.topic("orders.order.v1") == "blue.orders.order.v1"
    assert BLUE.group("notifications") == "blue.notifications"
    assert BLUE.source("orders") == "/blue/orderflow/orders"
    assert BLUE.logical("blue.orders.order.v1") == "orders.order.v1"
    assert DEFAULT_NAMESPACE.topic("orders.order.v1") == "orders.order.v1"
    assert DEFAULT_NAMESPACE.source("orders") == "/orderflow/orders"


def test_what_an_operator_names_is_taken_into_the_namespace_once() -> None:
    assert BLUE.within("search.retry.1") == "blue.search.retry.1"
    assert BLUE.within("blue.search.retry.1") == "blue.search.retry.1"
    assert BLUE.within("green.search.retry.1") == "blue.green.search.retry.1"
    assert DEFAULT_NAMESPACE.within("green.search.retry.1") == "green.search.retry.1"

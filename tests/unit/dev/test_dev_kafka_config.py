"""The broker configuration, cluster ids, the pinned version and pid checks (no I/O)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from devtools.config import Ports
from devtools.errors import DevError
from devtools.kafka import cmdline_is_kafka, generate_cluster_id, render_server_properties
from devtools.kafka_runtime import classpath, parse_kafka_version

pytestmark = pytest.mark.unit

PORTS = Ports(postgres=55432, kafka=59092, kafka_controller=59093)


def _properties(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_server_properties_describe_a_single_combined_node() -> None:
    props = _properties(render_server_properties(PORTS, Path("/state/kafka/data")))
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:59093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:59092,CONTROLLER://127.0.0.1:59093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:59092"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert props["log.dirs"] == "/state/kafka/data"


def test_server_properties_suit_one_broker_and_explicit_topics() -> None:
    props = _properties(render_server_properties(PORTS, Path("/d")))
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["offsets.topic.num.partitions"] == "5"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "3"


def test_server_properties_follow_the_ports() -> None:
    ports = Ports(postgres=1, kafka=2, kafka_controller=3)
    props = _properties(render_server_properties(ports, Path("/d")))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:2,CONTROLLER://127.0.0.1:3"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:3"


def test_cluster_id_is_a_base64url_uuid() -> None:
    for _ in range(200):
        cluster_id = generate_cluster_id()
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_cluster_ids_differ() -> None:
    assert len({generate_cluster_id() for _ in range(50)}) == 50


POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <properties>
    <kafka.version> 3.9.1 </kafka.version>
  </properties>
</project>
"""


def test_kafka_version_is_read_from_the_pom() -> None:
    assert parse_kafka_version(POM) == "3.9.1"


def test_kafka_version_without_namespace() -> None:
    pom = "<project><properties><kafka.version>3.8.0</kafka.version></properties></project>"
    assert parse_kafka_version(pom) == "3.8.0"


def test_pom_without_kafka_version_is_a_user_error() -> None:
    with pytest.raises(DevError, match=r"kafka\.version"):
        parse_kafka_version("<project><properties/></project>")


def test_classpath_is_a_java_wildcard() -> None:
    assert (
        classpath(Path("/cache/orderflow/kafka-3.9.1/libs"))
        == "/cache/orderflow/kafka-3.9.1/libs/*"
    )


def test_cmdline_of_our_broker_is_recognised() -> None:
    props = Path("/p/.dev/kafka/server.properties")
    ours = b"/usr/bin/java\0-Xmx768m\0-cp\0/libs/*\0kafka.Kafka\0/p/.dev/kafka/server.properties\0"
    other_clone = ours.replace(b"/p/", b"/q/")
    not_kafka = b"/usr/bin/python3\0server.py\0"
    assert cmdline_is_kafka(ours, props)
    assert not cmdline_is_kafka(other_clone, props)
    assert not cmdline_is_kafka(not_kafka, props)

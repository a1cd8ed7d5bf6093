"""docs/architecture.md is what the code says: every topic, group, job, schema and partner.

The document is generated (``orderflow docs architecture``); the drift test fails as soon as
a topic, a consumer group, a job or a schema is added without regenerating it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from typer.testing import CliRunner

from events import registry
from migrations.metadata import target_metadata
from orderflow.architecture import (
    ARCHITECTURE_PATH,
    Group,
    Topic,
    render_architecture,
    system_facts,
)
from orderflow.architecture.partners import PARTNERS
from orderflow.cli import docs
from orderflow.cli.main import app
from orderflow.periodic import PERIODIC_JOBS
from orderflow.settings import Settings
from orderflow.wiring.deployment import deployed_consumers

REGENERATE = "run `orderflow docs architecture` and commit docs/architecture.md"


def test_the_committed_document_is_the_one_the_code_generates() -> None:
    assert ARCHITECTURE_PATH.exists(), REGENERATE
    assert ARCHITECTURE_PATH.read_text() == render_architecture(), REGENERATE


def test_every_topic_group_job_and_schema_of_the_code_is_in_the_views() -> None:
    document = render_architecture()

    for topic in registry.topics():
        assert f'ContainerQueue(t_{topic.replace(".", "_")}, "{topic}"' in document
        assert f"| `{topic}` |" in document
    for name, consumer in deployed_consumers(Settings()).items():
        assert f'Component(g_{name.replace("-", "_")}, "{name}"' in document
        assert f"`{name}.dlq`" in document
        for topic in consumer.topics:
            assert f"Rel(t_{topic.replace('.', '_')}, g_{name.replace('-', '_')}" in document
    for job in PERIODIC_JOBS:
        assert f"| `{job}` |" in document
    for schema in {m.schema for m in target_metadata}:
        assert f"| `{schema}` |" in document


def test_a_new_group_or_topic_changes_the_document() -> None:
    facts = system_facts()
    group = Group(
        "loyalty-points", "consumers.loyalty", ("orders.order.v1",), (), (), "x.dlq", None, ()
    )
    topic = Topic("returns.return.v1", "returns", ("returns.ReturnRequested",))

    with_group = render_architecture(dataclasses.replace(facts, groups=(*facts.groups, group)))
    with_topic = render_architecture(dataclasses.replace(facts, topics=(*facts.topics, topic)))

    committed = ARCHITECTURE_PATH.read_text()
    assert with_group != committed
    assert 'Component(g_loyalty_points, "loyalty-points"' in with_group
    assert with_topic != committed
    assert "| `returns.return.v1` | returns |" in with_topic


def test_each_partner_names_a_setting_that_exists_and_users_that_run() -> None:
    settings = Settings()
    runners = {"api", "relay", *deployed_consumers(settings), *PERIODIC_JOBS}
    for partner in PARTNERS:
        section, field = partner.setting
        assert field in type(getattr(settings, section)).model_fields, partner
        assert set(partner.used_by) <= runners, partner


def test_the_command_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "architecture.md"
    result = CliRunner().invoke(app, ["docs", "architecture", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert output.read_text() == render_architecture()
    assert docs.ARCHITECTURE_PATH == ARCHITECTURE_PATH

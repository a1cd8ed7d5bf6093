"""``docs/architecture.md``: the three C4 views and the tables behind them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from orderflow.architecture.diagrams import component_view, container_view, context_view
from orderflow.architecture.facts import SystemFacts, system_facts
from orderflow.architecture.partners import PARTNERS

ARCHITECTURE_PATH = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"

# Schemas no domain or consumer group owns: the platform's own bookkeeping.
_PLATFORM_SCHEMAS = {
    "outbox": "the outbox (domains append, the relay publishes)",
    "messaging": "the consumer runtime: inbox, retries, quarantine, replay jobs and audit",
}

_HEADER = """# orderflow architecture

Generated from the code by `orderflow docs architecture`: the domains under `domains/`, the
topics of the event registry, the consumer groups `orderflow run` deploys, its periodic jobs,
the schemas the migrations manage and the partners the settings point at. Do not edit by hand;
`tests/unit/test_architecture_doc.py` fails when this file differs from what the code says.
"""


def render_architecture(facts: SystemFacts | None = None) -> str:
    """The whole document for ``facts`` (default: this code base's)."""
    facts = facts or system_facts()
    sections = [
        _HEADER,
        "## Context\n",
        context_view(facts),
        "## Containers\n",
        container_view(facts),
        _jobs(facts),
        "## Components: consumer groups\n",
        component_view(facts),
        _groups(facts),
        "## Topics\n",
        _topics(facts),
        "## Schemas\n",
        _schemas(facts),
        "## Partners\n",
        _partners(),
    ]
    return "\n".join(sections)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _code(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "—"


def _jobs(facts: SystemFacts) -> str:
    return _table(("periodic job", "does"), ((f"`{n}`", purpose) for n, purpose in facts.jobs))


def _groups(facts: SystemFacts) -> str:
    rows = [
        (
            f"`{g.name}`",
            f"`{g.package}`",
            _code(g.topics),
            _code([g.schema] if g.schema else []),
            _code(f"domains.{d}" for d in g.domains),
            f"{_code(g.retry_topics)}; `{g.dead_letter_topic}`",
        )
        for g in facts.groups
    ]
    header = ("group", "code", "reads", "own schema", "calls", "retry tiers; dead letters")
    return _table(header, rows)


def _topics(facts: SystemFacts) -> str:
    rows = [
        (
            f"`{t.name}`",
            t.domain,
            _code(t.events),
            _code(g.name for g in facts.groups if t.name in g.topics),
            _code(team for team, topic in facts.team_topics if topic == t.name),
        )
        for t in facts.topics
    ]
    header = ("topic", "published by", "events", "read by (groups)", "downstream teams")
    return _table(header, rows)


def _schemas(facts: SystemFacts) -> str:
    owners = {d: f"domain `{d}`" for d in facts.domains}
    owners.update({g.schema: f"group `{g.name}`" for g in facts.groups if g.schema})
    owners.update(_PLATFORM_SCHEMAS)
    return _table(("schema", "owner"), ((f"`{s}`", owners.get(s, "—")) for s in facts.schemas))


def _partners() -> str:
    rows = [
        (p.name, p.purpose, f"`settings.{p.setting[0]}.{p.setting[1]}`", _code(p.used_by))
        for p in PARTNERS
    ]
    return _table(("partner", "does", "configured by", "called from"), rows)

"""The three C4 views as Mermaid text (``C4Context``, ``C4Container``, ``C4Component``).

Mermaid renders them where the Markdown is read (GitHub, GitLab, most editors), so the
document needs no image tool and its diff shows exactly what changed in the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from orderflow.architecture.facts import SystemFacts
from orderflow.architecture.partners import PARTNERS


def _id(name: str) -> str:
    """A Mermaid identifier for ``name`` (topics and groups hold dots and dashes)."""
    return re.sub(r"[^A-Za-z0-9]", "_", name)


def _q(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def _call(kind: str, *args: str) -> str:
    return f"{kind}({', '.join([args[0], *(_q(a) for a in args[1:])])})"


def _rel(source: str, target: str, *text: str) -> str:
    return f"Rel({source}, {target}, {', '.join(_q(t) for t in text)})"


def _diagram(kind: str, title: str, lines: Iterable[str]) -> str:
    body = "\n".join(f"  {line}" if line else "" for line in lines)
    return f"```mermaid\n{kind}\n  title {title}\n{body}\n```\n"


def context_view(facts: SystemFacts) -> str:
    """orderflow, the people who use it and the systems around it."""
    lines = [
        _call("Person", "shoppers", "Shoppers and admins", "catalog, checkout, orders, refunds"),
        _call("Person", "operators", "Operators", "lag, dead letters, replays: the CLI"),
        _call(
            "System",
            "orderflow",
            "orderflow",
            f"order platform: {', '.join(facts.domains)}; one deployable",
        ),
    ]
    lines += [_call("System_Ext", p.id, p.name, p.purpose) for p in PARTNERS]
    lines += [
        _call("System_Ext", f"team_{_id(t)}", f"{t} (downstream team)", "subscribes to topics")
        for t in facts.downstream_teams
    ]
    lines += [
        _rel("shoppers", "orderflow", "uses", "HTTPS, JSON"),
        _rel("operators", "orderflow", "operates", "orderflow CLI"),
    ]
    lines += [_rel("orderflow", p.id, "calls") for p in PARTNERS]
    lines += [
        _rel("orderflow", f"team_{_id(t)}", "publishes events to", "Kafka")
        for t in facts.downstream_teams
    ]
    return _diagram("C4Context", "orderflow: system context", lines)


def container_view(facts: SystemFacts) -> str:
    """The processes of one deployment and the infrastructure they share."""
    groups = ", ".join(g.name for g in facts.groups)
    jobs = ", ".join(name for name, _ in facts.jobs)
    routes = [*facts.domain_routes, *(g.name for g in facts.groups if g.name in _READ_ROUTES)]
    lines = [
        _call("Person", "shoppers", "Shoppers and admins"),
        _call("Person", "operators", "Operators"),
        "System_Boundary(orderflow, " + _q("orderflow (orderflow run: all in one process)") + ") {",
        "  " + _call("Container", "api", "API", "FastAPI; orderflow api", ", ".join(routes)),
        "  " + _call("Container", "relay", "Outbox relay", "orderflow relay", "outbox → Kafka"),
        "  " + _call("Container", "consumers", "Consumer groups", "orderflow consume", groups),
        "  "
        + _call(
            "Container", "jobs", "Periodic jobs", "orderflow jobs (or inside orderflow run)", jobs
        ),
        "  " + _call("Container", "cli", "Operator CLI", "orderflow", "outbox, consumers, dlq"),
        "  "
        + _call(
            "ContainerDb", "postgres", "PostgreSQL", "", f"schemas: {', '.join(facts.schemas)}"
        ),
        "  "
        + _call(
            "ContainerQueue",
            "kafka",
            "Kafka",
            "",
            f"{len(facts.topics)} event topics; retry tiers and a DLQ per group",
        ),
        "}",
    ]
    lines += [_call("System_Ext", p.id, p.name) for p in PARTNERS]
    lines += [
        _rel("shoppers", "api", "HTTPS, JSON"),
        _rel("operators", "cli", "runs"),
        _rel("api", "postgres", "state + outbox rows, one transaction"),
        _rel("relay", "postgres", "claims outbox rows"),
        _rel("relay", "kafka", "publishes events"),
        _rel("consumers", "kafka", "reads, retries, dead-letters"),
        _rel("consumers", "postgres", "inbox + effect, one transaction"),
        _rel("jobs", "postgres", "reads and writes"),
        _rel("cli", "kafka", "inspects, replays"),
    ]
    lines += [
        _rel(_container_of(user), p.id, "calls") for p in PARTNERS for user in _first(p.used_by)
    ]
    return _diagram("C4Container", "orderflow: containers", lines)


# The groups whose read model the API serves (a route of their own).
_READ_ROUTES = ("search", "analytics", "recommendations")


def _first(users: tuple[str, ...]) -> tuple[str, ...]:
    """One edge per container is enough in this view (the component view has them all)."""
    seen: dict[str, str] = {}
    for user in users:
        seen.setdefault(_container_of(user), user)
    return tuple(seen.values())


def _container_of(user: str) -> str:
    if user in ("api", "relay"):
        return user
    return "jobs" if ":" in user else "consumers"


def component_view(facts: SystemFacts) -> str:
    """The consumer groups: what each reads, where it writes, whom it calls."""
    lines = ["Container_Boundary(consumers, " + _q("Consumer groups") + ") {"]
    lines += [
        "  " + _call("Component", f"g_{_id(g.name)}", g.name, g.package, ", ".join(g.events))
        for g in facts.groups
    ]
    lines.append("}")
    lines += [
        _call(
            "ContainerQueue",
            f"t_{_id(t.name)}",
            t.name,
            "from upstream services" if t.received else f"from {t.domain}",
        )
        for t in facts.topics
    ]
    lines += [_call("Container", f"d_{_id(d)}", f"domains.{d}", "api.py") for d in facts.domains]
    lines += [_call("System_Ext", p.id, p.name) for p in PARTNERS]
    for group in facts.groups:
        gid = f"g_{_id(group.name)}"
        lines += [_rel(f"t_{_id(t)}", gid, "read by") for t in group.topics]
        lines += [_rel(gid, f"d_{_id(d)}", "calls") for d in group.domains]
        lines += [_rel(gid, p.id, "calls") for p in PARTNERS if group.name in p.used_by]
    lines += [
        _rel(f"d_{_id(t.domain)}", f"t_{_id(t.name)}", "publishes (outbox)")
        for t in facts.topics
        if t.domain in facts.domains and not t.received
    ]
    return _diagram("C4Component", "orderflow: consumer groups, topics and domains", lines)

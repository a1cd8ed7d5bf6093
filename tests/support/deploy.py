"""What ships under deploy/: the alert rules, the scrape configuration and the dashboard, and the
metrics they read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts_test.yml"
SCRAPE = ROOT / "deploy" / "prometheus" / "scrape.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "orderflow.json"
SHIPPED = ("orderflow", "domains", "events", "outbox", "producers", "consumers", "foundation")

_METRIC = re.compile(r"\borderflow_[a-z0-9_]+")
# A histogram named X is read as X_bucket, X_count and X_sum.
_SERIES_SUFFIX = re.compile(r"_(bucket|count|sum)$")


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule of alerts.yml."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every query of the dashboard."""
    return list(_queries(json.loads(DASHBOARD.read_text())["panels"]))


def _queries(panels: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for panel in panels:
        yield from _queries(panel.get("panels", []))
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def metrics_in(expression: str) -> set[str]:
    """The orderflow metric families an expression reads (``X_bucket`` counts as ``X``)."""
    return {_SERIES_SUFFIX.sub("", name) for name in _METRIC.findall(expression)}


def metrics_in_code() -> set[str]:
    """Every ``orderflow_*`` name the shipped packages define (as a string literal)."""
    names: set[str] = set()
    for package in SHIPPED:
        for source in (ROOT / package).rglob("*.py"):
            names.update(re.findall(r"\"(orderflow_[a-z0-9_]+)\"", source.read_text()))
    return names

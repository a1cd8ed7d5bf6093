"""The Grafana dashboard imports as it is: one Prometheus data source chosen at import, every
query reading metrics the code exports, and every metric an alert reads on a panel."""

from __future__ import annotations

import json

from tests.support.deploy import (
    DASHBOARD,
    alert_rules,
    dashboard_queries,
    metrics_in,
    metrics_in_code,
)


def test_every_panel_asks_the_data_source_chosen_at_import() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    (variable,) = dashboard["templating"]["list"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]


def test_every_query_reads_metrics_the_code_exports() -> None:
    exported = metrics_in_code()
    unknown = {title: metrics_in(q) - exported for title, q in dashboard_queries()}
    assert {title: names for title, names in unknown.items() if names} == {}


def test_every_metric_an_alert_reads_is_on_a_panel() -> None:
    shown = set().union(*(metrics_in(q) for _, q in dashboard_queries()))
    alerted = set().union(*(metrics_in(rule["expr"]) for rule in alert_rules()))
    assert alerted - shown == set()

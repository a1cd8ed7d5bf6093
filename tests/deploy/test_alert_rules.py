"""The alert rules load in Prometheus, fire (and stay quiet) as their unit tests say, read only
metrics the code exports, and tell the on-call person which ``orderflow`` command to run."""

from __future__ import annotations

import shutil
import subprocess

import yaml

from tests.support.deploy import RULE_TESTS, RULES, alert_rules, metrics_in, metrics_in_code


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make setup` installs Debian's prometheus package"
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_promtool_accepts_the_rules() -> None:
    result = _promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_every_alert_passes_its_unit_tests() -> None:
    result = _promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_case_where_it_fires_and_one_where_it_stays_quiet() -> None:
    cases = [
        check
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for check in test.get("alert_rule_test", [])
    ]
    fires = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fires == set(), "alerts without a firing test"
    assert names - quiet == set(), "alerts without a quiet evaluation"


def test_every_alert_reads_metrics_the_code_exports() -> None:
    exported = metrics_in_code()
    unknown = {
        rule["alert"]: sorted(metrics_in(rule["expr"]) - exported)
        for rule in alert_rules()
        if metrics_in(rule["expr"]) - exported
    }
    assert unknown == {}


def test_every_alert_names_the_orderflow_command_to_run() -> None:
    for rule in alert_rules():
        name, runbook = rule["alert"], rule["annotations"]["runbook"]
        assert rule["annotations"]["summary"], name
        assert "`orderflow " in runbook or "`curl " in runbook, name
        assert rule["labels"]["severity"] in ("page", "ticket"), name

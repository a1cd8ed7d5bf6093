"""The shipped scrape configuration loads in Prometheus and scrapes each kind of process where
its metrics are: the operations port the settings give it — for the API, not its public port."""

from __future__ import annotations

import shutil
import subprocess

import yaml
from pydantic_settings import BaseSettings

from orderflow.settings.processes import ConsumerSettings, HttpSettings, JobSettings, RelaySettings
from tests.support.deploy import SCRAPE


def _ports_by_job() -> dict[str, set[int]]:
    config = yaml.safe_load(SCRAPE.read_text())
    return {
        job["job_name"]: {
            int(target.rsplit(":", 1)[1])
            for static in job["static_configs"]
            for target in static["targets"]
        }
        for job in config["scrape_configs"]
    }


def test_promtool_accepts_the_scrape_configuration_and_its_rules() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make setup` installs Debian's prometheus package"
    checked = subprocess.run(
        [promtool, "check", "config", str(SCRAPE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 1 rule files found" in checked.stdout


def _default(section: type[BaseSettings], field: str) -> int:
    """The default itself: the environment running the tests may set the variable."""
    return int(section.model_fields[field].default)


def test_each_job_scrapes_its_processes_operations_port() -> None:
    assert _ports_by_job() == {
        "orderflow-api": {_default(HttpSettings, "metrics_port")},
        "orderflow-relay": {_default(RelaySettings, "metrics_port")},
        "orderflow-consume": {_default(ConsumerSettings, "metrics_port")},
        "orderflow-jobs": {_default(JobSettings, "metrics_port")},
    }
    # The API's own port is public: its metrics are elsewhere.
    assert _default(HttpSettings, "metrics_port") != _default(HttpSettings, "port")

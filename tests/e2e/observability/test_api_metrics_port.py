"""``orderflow api`` keeps its metrics off its public port: there ``/metrics`` is a 404, while the
operations port serves the process's own ``orderflow_*`` metrics — the requests the API just
answered among them — next to ``/healthz`` and ``/readyz``, and the start-up line says where."""

from __future__ import annotations

from pathlib import Path

import httpx

from orderflow.settings import Settings
from tests.support.processes import free_port, orderflow_process
from tests.support.prometheus import metrics_problems


def test_the_apis_metrics_are_on_its_operations_port_only(
    settings: Settings, tmp_path: Path
) -> None:
    api, operations = free_port(), free_port()
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_HTTP_PORT": str(api),
        "ORDERFLOW_HTTP_METRICS_PORT": str(operations),
        "ORDERFLOW_JWT_SECRET": "api-metrics-port-secret-api-metrics-port-0123",
        "ORDERFLOW_LOG_FORMAT": "json",
    }
    with orderflow_process(["api"], env, tmp_path / "api.log", api) as process:
        products = httpx.get(f"{process.base_url}/v1/products", timeout=10)
        public = httpx.get(f"{process.base_url}/metrics", timeout=10)
        internal = f"http://127.0.0.1:{operations}"
        exposed = httpx.get(f"{internal}/metrics", timeout=10)
        alive = httpx.get(f"{internal}/healthz", timeout=10)
        ready = httpx.get(f"{internal}/readyz", timeout=10)

    assert products.status_code == 200, products.text
    assert public.status_code == 404
    assert "orderflow_" not in public.text
    assert exposed.status_code == 200
    assert 'orderflow_http_requests_total{method="GET",route="/v1/products",status="200"}' in (
        exposed.text
    )
    # The public /metrics was a request like any other: counted as a route the API does not have.
    assert 'orderflow_http_requests_total{method="GET",route="unmatched",status="404"}' in (
        exposed.text
    )
    assert "orderflow_build_info{" in exposed.text
    assert metrics_problems(exposed.text) == ""
    assert (alive.status_code, alive.text) == (200, "ok")
    assert (ready.status_code, set(ready.json()["checks"])) == (200, {"database"})
    [banner] = [line for line in process.log.read_text().splitlines() if "orderflow api:" in line]
    assert f"API http://127.0.0.1:{api}" in banner
    assert f"metrics and health on http://127.0.0.1:{operations} (/metrics" in banner

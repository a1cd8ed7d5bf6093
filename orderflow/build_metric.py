"""``orderflow_build_info``: which build each process runs, as Prometheus sees it.

The usual info-metric pattern: a constant 1 whose labels carry the build, so a dashboard can
join any orderflow_* series on ``commit`` or spot two versions running side by side.
"""

from __future__ import annotations

from prometheus_client import Info

from orderflow.build import current_build

BUILD_INFO = Info(
    "orderflow_build",
    "The build this process runs: version, commit, whether the tree was dirty, Python.",
)


def publish_build_info() -> None:
    """Set the metric's labels (idempotent: every process entry point calls it)."""
    build = current_build()
    BUILD_INFO.info({**build.labels(), "python": build.python})

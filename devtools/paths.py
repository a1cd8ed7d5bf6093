"""Where the dev tooling keeps its state: ``.dev/`` in the project, jars in the user cache."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devtools.errors import DevError

STATE_DIR_NAME = ".dev"
POM_RELATIVE = Path("infra/kafka/pom.xml")
LOG4J_RELATIVE = Path("infra/kafka/log4j.properties")


@dataclass(frozen=True)
class DevPaths:
    """Every project-local path of the dev infrastructure (nothing here is created)."""

    root: Path

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR_NAME

    @property
    def pom(self) -> Path:
        return self.root / POM_RELATIVE

    @property
    def log4j_config(self) -> Path:
        return self.root / LOG4J_RELATIVE

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def kafka_data(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def kafka_logs(self) -> Path:
        return self.kafka_dir / "logs"

    @property
    def kafka_server_log(self) -> Path:
        return self.kafka_logs / "server.log"

    @property
    def kafka_console_log(self) -> Path:
        return self.kafka_logs / "kafka.out"

    @property
    def kafka_properties(self) -> Path:
        return self.kafka_dir / "server.properties"

    @property
    def kafka_pidfile(self) -> Path:
        return self.kafka_dir / "kafka.pid"

    @property
    def kafka_cluster_id(self) -> Path:
        return self.kafka_dir / "cluster-id"

    @property
    def postgres_dir(self) -> Path:
        return self.state_dir / "postgres"

    @property
    def postgres_location(self) -> Path:
        """A file holding the folder PostgreSQL really lives in (see ``postgres.py``)."""
        return self.postgres_dir / "location"


def is_project_root(folder: Path) -> bool:
    """Whether ``folder`` is an orderflow checkout (pyproject.toml next to the Kafka pom)."""
    return (folder / "pyproject.toml").is_file() and (folder / POM_RELATIVE).is_file()


def find_project_root(*starts: Path) -> Path:
    """The project folder above the first of ``starts`` that lies inside one.

    Without arguments: above this package (an editable install), then above the current folder.
    """
    candidates = starts or (Path(__file__).resolve().parent, Path.cwd().resolve())
    for start in candidates:
        for folder in (start, *start.parents):
            if is_project_root(folder):
                return folder
    raise DevError(
        "cannot find the orderflow project folder (pyproject.toml next to infra/kafka/pom.xml)",
        hint="run this command from inside the orderflow repository",
    )


def dev_paths() -> DevPaths:
    """The paths of the project this code runs from."""
    return DevPaths(find_project_root())


def cache_root(environ: Mapping[str, str], home: Path) -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/orderflow``."""
    base = environ.get("XDG_CACHE_HOME") or str(home / ".cache")
    return Path(base) / "orderflow"


def kafka_cache_dir(version: str, environ: Mapping[str, str], home: Path) -> Path:
    """The cache folder of one Kafka version; its ``libs/`` holds the jars."""
    return cache_root(environ, home) / f"kafka-{version}"


def short_hash(path: Path) -> str:
    """A short, stable tag for a project folder (keeps two clones apart)."""
    return hashlib.sha256(str(path).encode()).hexdigest()[:10]


def temp_postgres_home(root: Path, environ: Mapping[str, str]) -> Path:
    """``${TMPDIR:-/tmp}/orderflow-pg-<hash>``: PostgreSQL's home when ``.dev`` will not do."""
    base = environ.get("TMPDIR") or "/tmp"  # noqa: S108 - the caller checks the folder's owner
    return Path(base) / f"orderflow-pg-{short_hash(root)}"

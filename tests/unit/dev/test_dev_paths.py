"""Where the dev state, the jar cache and PostgreSQL's fallback folder go (pure path maths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.paths import DevPaths, cache_root, kafka_cache_dir, short_hash, temp_postgres_home
from devtools.postgres import choose_bin_dir, parse_postmaster_pid
from devtools.postgres_home import socket_path_fits

pytestmark = pytest.mark.unit

ROOT = Path("/src/orderflow")


def test_state_layout_is_under_dot_dev() -> None:
    paths = DevPaths(ROOT)
    assert paths.state_dir == ROOT / ".dev"
    assert paths.kafka_data == ROOT / ".dev/kafka/data"
    assert paths.kafka_properties == ROOT / ".dev/kafka/server.properties"
    assert paths.kafka_pidfile == ROOT / ".dev/kafka/kafka.pid"
    assert paths.kafka_cluster_id == ROOT / ".dev/kafka/cluster-id"
    assert paths.postgres_location == ROOT / ".dev/postgres/location"
    assert paths.pom == ROOT / "infra/kafka/pom.xml"
    assert paths.log4j_config == ROOT / "infra/kafka/log4j.properties"


def test_cache_follows_xdg() -> None:
    home = Path("/home/dev")
    assert cache_root({}, home) == Path("/home/dev/.cache/orderflow")
    assert cache_root({"XDG_CACHE_HOME": "/var/cache/me"}, home) == Path("/var/cache/me/orderflow")
    assert kafka_cache_dir("3.9.1", {}, home) == Path("/home/dev/.cache/orderflow/kafka-3.9.1")


def test_postgres_fallback_is_per_project_under_tmpdir() -> None:
    tag = short_hash(ROOT)
    assert temp_postgres_home(ROOT, {}) == Path("/", "tmp", f"orderflow-pg-{tag}")
    assert temp_postgres_home(ROOT, {"TMPDIR": "/scratch"}) == Path(f"/scratch/orderflow-pg-{tag}")


def test_short_hash_is_stable_and_tells_clones_apart() -> None:
    assert short_hash(ROOT) == short_hash(Path("/src/orderflow"))
    assert short_hash(ROOT) != short_hash(Path("/src/orderflow-2"))
    assert len(short_hash(ROOT)) == 10


def test_socket_path_length_limit() -> None:
    assert socket_path_fits(Path("/src/orderflow/.dev/postgres/run"), 55432)
    assert not socket_path_fits(Path("/" + "x" * 100), 55432)


BIN_DIRS = [Path("/usr/lib/postgresql/13/bin"), Path("/usr/lib/postgresql/15/bin")]


def test_newest_postgres_for_a_new_cluster() -> None:
    assert choose_bin_dir(BIN_DIRS, None) == Path("/usr/lib/postgresql/15/bin")


def test_matching_postgres_for_an_existing_cluster() -> None:
    assert choose_bin_dir(BIN_DIRS, "13") == Path("/usr/lib/postgresql/13/bin")
    assert choose_bin_dir(BIN_DIRS, "16") is None
    assert choose_bin_dir([], None) is None


def test_postmaster_pid_file() -> None:
    text = "4242\n/data\n1700000000\n55432\n/run\n127.0.0.1\n  1234 5678\nready   \n"
    assert parse_postmaster_pid(text) == (4242, 55432)
    assert parse_postmaster_pid("4242\n/data\n") is None
    assert parse_postmaster_pid("") is None

"""Where the private PostgreSQL cluster lives, and as which user its commands run.

``initdb`` refuses to run as root, so as root every PostgreSQL command runs as the ``postgres``
user, and the cluster lives where that user can reach: ``.dev/postgres`` when it can enter the
project folder (and the socket path stays short enough), otherwise
``${TMPDIR:-/tmp}/orderflow-pg-<hash>``, recorded in ``.dev/postgres/location`` so later commands
find it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.config import Ports
from devtools.errors import DevError
from devtools.paths import DevPaths, temp_postgres_home
from devtools.system import is_root, progress

SOCKET_PATH_MAX = 107  # sun_path is 108 bytes, including the terminating NUL
SERVER_USER = "postgres"


@dataclass(frozen=True)
class PostgresHome:
    """The folder of the cluster: ``data/``, the socket folder ``run/`` and the server log."""

    path: Path

    @property
    def data(self) -> Path:
        return self.path / "data"

    @property
    def socket_dir(self) -> Path:
        return self.path / "run"

    @property
    def log_file(self) -> Path:
        return self.path / "postgres.log"


def socket_path_fits(socket_dir: Path, port: int) -> bool:
    return len(str(socket_dir / f".s.PGSQL.{port}").encode()) <= SOCKET_PATH_MAX


def _server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError as exc:
        raise DevError(
            "there is no `postgres` user to run PostgreSQL as (it refuses to run as root)",
            hint="install the Debian package `postgresql`, which creates it",
        ) from exc


def as_server_user(args: Sequence[str]) -> list[str]:
    """``args`` run as ``postgres`` when we are root, else as ourselves."""
    return ["runuser", "-u", SERVER_USER, "--", *args] if is_root() else list(args)


def _server_user_can_enter(folder: Path) -> bool:
    if not is_root():
        return True
    try:
        probe = subprocess.run(as_server_user(["test", "-x", str(folder)]), check=False)
    except FileNotFoundError as exc:
        raise DevError("runuser is missing", hint="install util-linux (Debian)") from exc
    return probe.returncode == 0


def _make_private_dir(folder: Path) -> None:
    if folder.is_symlink():
        raise DevError(f"{folder} is a symbolic link", hint="remove it and retry")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner = _server_user() if is_root() else pwd.getpwuid(os.getuid())
    if folder.stat().st_uid not in (0, owner.pw_uid):
        raise DevError(f"{folder} belongs to another user", hint="remove it and retry")
    if is_root():
        os.chown(folder, owner.pw_uid, owner.pw_gid)


def locate_home(paths: DevPaths) -> PostgresHome:
    """Where the cluster lives (read-only: nothing is created)."""
    try:
        return PostgresHome(Path(paths.postgres_location.read_text().strip()))
    except FileNotFoundError:
        return PostgresHome(paths.postgres_dir)


def _choose_home(paths: DevPaths, ports: Ports, environ: Mapping[str, str]) -> PostgresHome:
    paths.postgres_dir.mkdir(parents=True, exist_ok=True)
    local = PostgresHome(paths.postgres_dir)
    if socket_path_fits(local.socket_dir, ports.postgres) and _server_user_can_enter(local.path):
        return local
    home = PostgresHome(temp_postgres_home(paths.root, environ))
    progress(f"PostgreSQL lives in {home.path}: the postgres user cannot use {local.path}")
    return home


def prepare_home(paths: DevPaths, ports: Ports, environ: Mapping[str, str]) -> PostgresHome:
    """Create (once) and return the cluster's folder; one outside ``.dev`` is recorded."""
    recorded = paths.postgres_location.exists()
    local = PostgresHome(paths.postgres_dir)
    if recorded or (local.data / "PG_VERSION").exists():
        home = locate_home(paths)
    else:
        home = _choose_home(paths, ports, environ)
    if recorded and not home.path.exists():
        progress(f"{home.path} has disappeared (a cleaned temp folder?): creating a new cluster")
    _make_private_dir(home.path)
    _make_private_dir(home.socket_dir)
    if not _server_user_can_enter(home.path):
        raise DevError(
            f"the postgres user cannot enter {home.path}",
            hint="set TMPDIR to a folder every user can enter (e.g. TMPDIR=/tmp) and retry",
        )
    if not recorded and home != local:
        paths.postgres_location.write_text(f"{home.path}\n")
    return home


def remove_home(paths: DevPaths) -> None:
    """Delete the cluster's folder when it lives outside ``.dev`` (only our own tmp folder)."""
    home = locate_home(paths).path
    if home.name.startswith("orderflow-pg-") and not home.is_symlink():
        shutil.rmtree(home, ignore_errors=True)

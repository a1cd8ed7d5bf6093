"""A private PostgreSQL cluster built from the OS packages with ``initdb`` and ``pg_ctl``.

Where it lives and as which user it runs: see ``postgres_home``.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_fixed

from devtools.config import DATABASE_NAME, HOST, Ports, Service, ServiceStatus
from devtools.errors import DevError
from devtools.paths import DevPaths
from devtools.postgres_home import (
    SERVER_USER,
    PostgresHome,
    as_server_user,
    locate_home,
    prepare_home,
)
from devtools.processes import pid_alive
from devtools.system import ensure_port_free, progress, run, tail

PG_LIB = Path("/usr/lib/postgresql")
PORT_VARIABLE = "ORDERFLOW_DEV_POSTGRES_PORT"
CONNECT_TIMEOUT_SECONDS = 30.0


def choose_bin_dir(candidates: Sequence[Path], wanted_major: str | None) -> Path | None:
    """The bin folder matching the cluster's major version, else the newest one."""
    if wanted_major is not None:
        return next((c for c in candidates if c.parent.name == wanted_major), None)
    ranked = sorted(candidates, key=lambda c: int(c.parent.name) if c.parent.name.isdigit() else 0)
    return ranked[-1] if ranked else None


def parse_postmaster_pid(text: str) -> tuple[int, int] | None:
    """(pid, port) from a ``postmaster.pid`` file, or None when it is incomplete."""
    lines = [line.strip() for line in text.splitlines()]
    pid, port = lines[:1], lines[3:4]  # line 1 is the pid, line 4 the port
    if not pid or not port or not pid[0].isdigit() or not port[0].isdigit():
        return None
    return int(pid[0]), int(port[0])


def _bin_dirs() -> list[Path]:
    found = [initdb.parent for initdb in PG_LIB.glob("*/bin/initdb")]
    on_path = shutil.which("initdb")
    return found or ([Path(on_path).parent] if on_path else [])


def missing_packages() -> list[str]:
    return [] if _bin_dirs() else ["postgresql"]


def find_bin_dir(home: PostgresHome) -> Path:
    version_file = home.data / "PG_VERSION"
    wanted = version_file.read_text().strip() if version_file.exists() else None
    chosen = choose_bin_dir(_bin_dirs(), wanted)
    if chosen is not None:
        return chosen
    if wanted is not None:
        raise DevError(
            f"the dev database in {home.data} needs PostgreSQL {wanted}, which is not installed",
            hint=f"install postgresql-{wanted}, or delete the dev data with `make clean`",
        )
    raise DevError("PostgreSQL is not installed", hint="run: apt-get install -y postgresql")


def running_pid(home: PostgresHome) -> int | None:
    try:
        parsed = parse_postmaster_pid((home.data / "postmaster.pid").read_text())
    except OSError:
        return None
    return parsed[0] if parsed and pid_alive(parsed[0]) else None


def status(paths: DevPaths, ports: Ports) -> ServiceStatus:
    home = locate_home(paths)
    pid = running_pid(home)
    return ServiceStatus(
        service=Service.POSTGRES,
        running=pid is not None,
        pid=pid,
        address=f"{HOST}:{ports.postgres}",
        data_dir=str(home.data),
        log_file=str(home.log_file),
    )


def _initdb(bin_dir: Path, home: PostgresHome) -> None:
    progress(f"Creating a PostgreSQL cluster in {home.data}")
    command = [str(bin_dir / "initdb"), "-D", str(home.data), "-A", "trust", "-U", SERVER_USER]
    command += ["-E", "UTF8", "--locale=C.UTF-8"]
    run(as_server_user(command), what="initdb", cwd=home.path)


def _pg_ctl_start(bin_dir: Path, home: PostgresHome, port: int) -> None:
    options = ["-p", str(port), "-k", str(home.socket_dir), "-c", f"listen_addresses={HOST}"]
    options += ["-c", "max_connections=200"]
    command = [str(bin_dir / "pg_ctl"), "-D", str(home.data), "-o", shlex.join(options)]
    command += ["-l", str(home.log_file), "-w", "-t", "60", "start"]
    progress(f"Starting PostgreSQL {bin_dir.parent.name} on {HOST}:{port}")
    try:
        run(as_server_user(command), what="starting PostgreSQL", cwd=home.path)
    except DevError as exc:
        raise DevError(
            f"PostgreSQL did not start; its log is {home.log_file}",
            hint="fix what the log says, then run `orderflow dev up` again",
            details=tail(home.log_file, 40) or exc.details,
        ) from exc


def start(paths: DevPaths, ports: Ports, environ: Mapping[str, str]) -> PostgresHome:
    """Start the cluster (creating it the first time); a running one is left alone."""
    home = prepare_home(paths, ports, environ)
    bin_dir = find_bin_dir(home)
    pid = running_pid(home)
    if pid is not None:
        progress(f"PostgreSQL is already running (pid {pid})")
        return home
    if not (home.data / "PG_VERSION").exists():
        _initdb(bin_dir, home)
    ensure_port_free(ports.postgres, "PostgreSQL", PORT_VARIABLE)
    _pg_ctl_start(bin_dir, home, ports.postgres)
    return home


async def _connect(port: int) -> Any:
    """A connection as soon as the server accepts one (it may still be starting)."""
    retrying = AsyncRetrying(
        stop=stop_after_delay(CONNECT_TIMEOUT_SECONDS),
        wait=wait_fixed(0.3),
        retry=retry_if_exception_type((OSError, asyncpg.CannotConnectNowError)),
        reraise=True,
    )
    try:
        return await retrying(
            asyncpg.connect, host=HOST, port=port, user=SERVER_USER, database="postgres"
        )
    except (OSError, asyncpg.CannotConnectNowError) as exc:
        raise DevError(
            f"PostgreSQL on {HOST}:{port} does not accept connections: {exc}",
            hint="see its log (`orderflow dev status` shows where)",
        ) from exc


async def ensure_database(port: int) -> None:
    """Check that PostgreSQL answers and create the ``orderflow`` database if missing."""
    try:
        connection = await _connect(port)
        try:
            query = "select 1 from pg_database where datname = $1"
            if not await connection.fetchval(query, DATABASE_NAME):
                progress(f"Creating database {DATABASE_NAME}")
                await connection.execute(f'create database "{DATABASE_NAME}"')
        finally:
            await connection.close()
    except asyncpg.PostgresError as exc:
        raise DevError(
            f"the PostgreSQL server on {HOST}:{port} refused us: {exc}",
            hint=f"is it another server? pick another port with {PORT_VARIABLE}",
        ) from exc


def stop(paths: DevPaths) -> int | None:
    """Stop the cluster (fast mode); returns the pid it had, None when it was not running."""
    home = locate_home(paths)
    pid = running_pid(home)
    if pid is None:
        return None
    pg_ctl = str(find_bin_dir(home) / "pg_ctl")
    command = [pg_ctl, "-D", str(home.data), "-m", "fast", "-w", "-t", "60", "stop"]
    run(as_server_user(command), what="stopping PostgreSQL", cwd=home.path)
    return pid

"""A private PostgreSQL cluster (own folder under /tmp, own port) a test may stop and restart.

Built with the dev tooling (``initdb`` + ``pg_ctl`` from the OS packages); stopped in the mode
a test asks for: ``fast`` (clients are disconnected, a clean shutdown) or ``immediate`` (no
shutdown checkpoint: the next start runs crash recovery).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from devtools import postgres
from devtools.config import DATABASE_NAME, HOST, Ports
from devtools.paths import DevPaths
from devtools.postgres_home import as_server_user, locate_home
from devtools.system import run
from tests.private_pair.ports import restartable_port

StopMode = Literal["fast", "immediate"]


class PrivatePostgres:
    """One cluster in a fresh folder under /tmp (the ``postgres`` user must reach it)."""

    def __init__(self) -> None:
        # Short and world-enterable: PostgreSQL runs as ``postgres`` when we are root, and
        # the socket path must stay under 108 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="orderflow-faults-", dir="/tmp"))
        self.root.chmod(0o755)
        self.paths = DevPaths(self.root)
        self.ports = Ports(postgres=restartable_port(), kafka=0, kafka_controller=0)

    @property
    def port(self) -> int:
        """Where it listens (on 127.0.0.1)."""
        return self.ports.postgres

    def url(self, database: str = DATABASE_NAME) -> str:
        """The SQLAlchemy URL of ``database`` on this cluster."""
        return f"postgresql+asyncpg://postgres@{HOST}:{self.port}/{database}"

    @property
    def log_file(self) -> Path:
        """The server log."""
        return locate_home(self.paths).log_file

    async def start(self) -> None:
        """Start the cluster (creating it the first time) and wait until it accepts clients."""
        environ = {"TMPDIR": str(self.root.parent)}
        await asyncio.to_thread(postgres.start, self.paths, self.ports, environ)
        await postgres.ensure_database(self.port)

    async def stop(self, mode: StopMode = "fast") -> None:
        """``pg_ctl stop -m MODE`` and wait until the server is gone."""
        home = locate_home(self.paths)
        if postgres.running_pid(home) is None:
            return
        pg_ctl = str(postgres.find_bin_dir(home) / "pg_ctl")
        command = [pg_ctl, "-D", str(home.data), "-m", mode, "-w", "-t", "60", "stop"]
        await asyncio.to_thread(
            run, as_server_user(command), what=f"stopping PostgreSQL ({mode})", cwd=home.path
        )

    async def restart(self, mode: StopMode, *, down_for: float = 0.0) -> None:
        """Stop in ``mode``, stay down ``down_for`` seconds, start again."""
        await self.stop(mode)
        await asyncio.sleep(down_for)
        await self.start()

    async def dump(self, target: Path, database: str = DATABASE_NAME) -> None:
        """``pg_dump -Fc`` of ``database`` into ``target`` (read it with ``pg_restore``)."""
        pg_dump = str(postgres.find_bin_dir(locate_home(self.paths)) / "pg_dump")
        command = [pg_dump, "-h", HOST, "-p", str(self.port), "-U", "postgres", "-Fc"]
        command += ["-f", str(target), database]
        await asyncio.to_thread(run, command, what="pg_dump")

    async def destroy(self) -> None:
        """Stop it at once and delete its folder."""
        await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

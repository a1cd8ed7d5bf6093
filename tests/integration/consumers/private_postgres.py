"""A private PostgreSQL cluster a test may stop and start (never the shared one).

Built from the OS packages with ``initdb`` and ``pg_ctl`` in a temporary folder, on a free
port; as root the server runs as the ``postgres`` user (``initdb`` refuses root).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from pathlib import Path

PG_LIB = Path("/usr/lib/postgresql")


class PrivatePostgres:
    """One cluster in a fresh folder under /tmp (which the ``postgres`` user can enter, unlike
    pytest's own temporary folders): ``await init()`` once, then ``start``/``stop`` at will,
    ``await remove()`` at the end."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="orderflow-test-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._bin = max(PG_LIB.glob("*/bin"), key=lambda p: int(p.parent.name))

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the ``postgres`` database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    async def init(self) -> None:
        """Create the cluster (trust authentication, user ``postgres``)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        await self._run("initdb", "-A", "trust", "-U", "postgres", "-D", str(self.data))

    async def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        await self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    async def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` (a clean shutdown), or ``immediate`` (a crash)."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    async def remove(self) -> None:
        """Stop the server if it runs, and delete the folder."""
        if (self.data / "postmaster.pid").exists():
            await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    async def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{tool} failed ({process.returncode}): {output.decode()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port

"""A private Kafka broker (own state folder and ports) that a test may stop, kill and restart."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

from devtools import kafka
from devtools.config import HOST, Ports
from devtools.kafka_runtime import libs_dir, require_java
from devtools.paths import DevPaths, dev_paths
from foundation.kafka import KafkaConnection
from tests.private_pair.ports import restartable_port


class PrivateBroker:
    """A single-node KRaft broker in ``root``; never the shared one."""

    def __init__(self, root: Path) -> None:
        project = dev_paths()
        self.paths = DevPaths(root)
        self.paths.log4j_config.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(project.log4j_config, self.paths.log4j_config)
        self.ports = Ports(
            postgres=0, kafka=restartable_port(), kafka_controller=restartable_port()
        )
        self._java = require_java(os.environ)
        self._libs = libs_dir(project, os.environ)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` of this broker."""
        return f"{HOST}:{self.ports.kafka}"

    @property
    def connection(self) -> KafkaConnection:
        """Client settings for this broker."""
        return KafkaConnection(bootstrap_servers=self.bootstrap_servers)

    async def start(self) -> None:
        """Start the broker (again) and wait until it answers metadata requests."""
        pid = await asyncio.to_thread(kafka.start, self.paths, self.ports, self._java, self._libs)
        await kafka.wait_until_ready(self.paths, self.ports, pid)

    async def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
        await asyncio.to_thread(kafka.stop, self.paths)

    async def kill(self) -> None:
        """SIGKILL, as in a crash: no controlled shutdown, the log is recovered on restart."""
        pid = kafka.running_pid(self.paths)
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        # kafka.stop finds nothing left to signal; it waits for the pid to go and cleans up.
        await asyncio.to_thread(kafka.stop, self.paths)

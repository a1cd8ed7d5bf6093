"""Relay subprocesses (``orderflow relay``) pointed at the test database and a broker."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.support.processes import ORDERFLOW, free_port


class RelayProcess:
    """One ``orderflow relay`` process; its log goes to ``log_dir``."""

    def __init__(self, database_url: str, bootstrap: str, log_dir: Path, name: str) -> None:
        self.env = {
            **os.environ,
            "ORDERFLOW_DATABASE_URL": database_url,
            "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "ORDERFLOW_RELAY_LANE_REFRESH_SECONDS": "0.3",
            "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "0.2",
            "ORDERFLOW_RELAY_BATCH_SIZE": "200",
            "ORDERFLOW_LOG_FORMAT": "json",
            "ORDERFLOW_LOG_LEVEL": "WARNING",
        }
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (or restart) the relay."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(ORDERFLOW), "relay", "--metrics-port", str(free_port())],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        """The relay's process id."""
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def terminate(self) -> None:
        """SIGTERM without waiting (stop several at once, then ``stop`` each)."""
        if self.alive():
            assert self.process is not None
            self.process.terminate()

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL when it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process is not None and self.process.poll() is None


# The ``relays`` fixture: start ``n`` more relay processes (all stopped when the test ends).
StartRelays = Callable[[int], list[RelayProcess]]

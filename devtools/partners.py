"""The fake partners of local development: payment provider, carrier and SMTP sink.

``orderflow dev up`` runs each as a detached ``orderflow`` process on the port the settings
point at by default, with a pidfile and a log under ``.dev/fakes/``. Tests start their own
in-process copies on free ports instead.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from devtools.config import HOST, Service, ServiceStatus
from devtools.errors import DevError
from devtools.paths import DevPaths
from devtools.processes import pid_alive, read_pidfile, terminate, wait_for
from devtools.system import port_in_use, progress, tail

STARTUP_SECONDS = 30.0
STOP_SECONDS = 10.0


@dataclass(frozen=True)
class Fake:
    """One fake partner: its service name, the ``orderflow`` arguments that run it, its port."""

    service: Service
    args: tuple[str, ...]
    port: int

    def folder(self, paths: DevPaths) -> Path:
        """Where its pidfile and log live."""
        return paths.state_dir / "fakes"

    def pidfile(self, paths: DevPaths) -> Path:
        """The pidfile of the running fake."""
        return self.folder(paths) / f"{self.service.value}.pid"

    def log(self, paths: DevPaths) -> Path:
        """Its stdout and stderr."""
        return self.folder(paths) / f"{self.service.value}.log"


def fakes(paths: DevPaths) -> tuple[Fake, ...]:
    """The fakes, on the ports the default settings use."""
    mail = paths.state_dir / "mail"
    return (
        Fake(Service.PAYMENTS, ("dev", "fake-provider", "--port", "8099"), 8099),
        Fake(Service.CARRIER, ("dev", "fake-carrier", "--port", "8097"), 8097),
        Fake(
            Service.SMTP_SINK,
            ("dev", "smtp-sink", "--port", "1025", "--http-port", "8025", "--folder", str(mail)),
            1025,
        ),
    )


def running_pid(fake: Fake, paths: DevPaths) -> int | None:
    """The pid of ``fake`` when its process is alive."""
    pid = read_pidfile(fake.pidfile(paths))
    return pid if pid is not None and pid_alive(pid) else None


def start(fake: Fake, paths: DevPaths) -> int:
    """Start ``fake`` unless it runs; wait until its port answers."""
    pid = running_pid(fake, paths)
    if pid is not None:
        progress(f"{fake.service.value} is already running (pid {pid})")
        return pid
    if port_in_use(fake.port):
        raise DevError(
            f"port {fake.port} (for the {fake.service.value} fake) is used by another program",
            hint="stop that program, or point the settings at your own service",
        )
    fake.folder(paths).mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", "from orderflow.cli.main import main; main()", *fake.args]
    with fake.log(paths).open("ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    fake.pidfile(paths).write_text(str(process.pid))
    _wait_for_port(fake, paths, process.pid)
    progress(f"{fake.service.value} started on {HOST}:{fake.port} (pid {process.pid})")
    return process.pid


def _wait_for_port(fake: Fake, paths: DevPaths, pid: int) -> None:
    if wait_for(lambda: port_in_use(fake.port), timeout=STARTUP_SECONDS, pid=pid):
        return
    raise DevError(
        f"the {fake.service.value} fake did not start",
        hint=f"see {fake.log(paths)}",
        details=tail(fake.log(paths), 20),
    )


def stop(fake: Fake, paths: DevPaths) -> int | None:
    """Stop ``fake`` (SIGTERM, then SIGKILL after 10 s); returns the pid it had."""
    pid = running_pid(fake, paths)
    if pid is not None:
        terminate(pid, grace=STOP_SECONDS)
    fake.pidfile(paths).unlink(missing_ok=True)
    return pid


def status(fake: Fake, paths: DevPaths) -> ServiceStatus:
    """What ``orderflow dev status`` shows for ``fake``."""
    pid = running_pid(fake, paths)
    return ServiceStatus(
        service=fake.service,
        running=pid is not None,
        pid=pid,
        address=f"{HOST}:{fake.port}",
        data_dir=str(fake.folder(paths)),
        log_file=str(fake.log(paths)),
    )

"""Small operating-system helpers: commands, packages, ports, log tails, progress lines."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devtools.errors import DevError


def progress(message: str) -> None:
    """One plain progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


def can_use_apt() -> bool:
    """Root on Debian (or a derivative) with apt-get: we may install OS packages ourselves."""
    return is_root() and Path("/etc/debian_version").exists() and bool(shutil.which("apt-get"))


def install_packages(packages: Sequence[str]) -> None:
    """Install Debian packages, or say exactly what to install when we cannot."""
    wanted = sorted(set(packages))
    if not wanted:
        return
    command = f"apt-get update && apt-get install -y {' '.join(wanted)}"
    if not can_use_apt():
        raise DevError(
            f"missing OS packages: {' '.join(wanted)}",
            hint=f"install them, e.g. `sudo sh -c '{command}'`, then retry",
        )
    progress(f"Installing {' '.join(wanted)} with apt-get (a few minutes on a fresh machine)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update"], what="apt-get update", env=env)
    run(["apt-get", "install", "-y", *wanted], what="apt-get install", env=env)


def run(
    args: Sequence[str],
    *,
    what: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> str:
    """Run a command, return its output; a failure becomes a ``DevError`` with the output tail."""
    try:
        done = subprocess.run(
            list(args),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise DevError(f"{what}: {args[0]} not found", hint="install it and retry") from exc
    except subprocess.TimeoutExpired as exc:
        raise DevError(f"{what} took longer than {timeout:.0f} s", hint="retry") from exc
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0:
        raise DevError(
            f"{what} failed (exit status {done.returncode})",
            hint="see the output above",
            details="\n".join(output.strip().splitlines()[-30:]),
        )
    return output


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def ensure_port_free(port: int, service: str, variable: str) -> None:
    if port_in_use(port):
        raise DevError(
            f"port {port} (for {service}) is already used by another program",
            hint=f"stop that program, or pick another port: export {variable}=<port>",
        )


def tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        content = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(content.splitlines()[-lines:])

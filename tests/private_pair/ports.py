"""Ports for servers a test kills and starts again on the same port.

An ephemeral port (what binding port 0 gives) can be taken, while its server is down, by any
client socket on the machine: Linux hands out local ports of outgoing connections from the same
range. So these ports come from below it, from ``ORDERFLOW_TEST_PORT_RANGE`` (``FIRST-LAST``)
when set, e.g. to keep parallel runs apart. Parallel workers of one run (pytest-xdist) each
draw from a slice of their own: a port one worker's broker left free during an outage is never
taken by a server another worker starts.
"""

from __future__ import annotations

import os
import random
import socket
from collections import deque
from collections.abc import Mapping

# Below Linux's default ip_local_port_range (32768-60999), above the well-known services.
DEFAULT_RANGE = (20000, 32767)
# The ports this process handed out last: a port is free until its server starts, so the next
# calls must not hand it out again (one scenario needs about twenty; older ones were released).
_given: deque[int] = deque(maxlen=40)


def port_range(environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """The range to draw from: ``ORDERFLOW_TEST_PORT_RANGE`` or the default, the worker's
    slice of it when pytest-xdist runs several."""
    first, last = _whole_range(environ)
    worker = environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ...
    workers = int(environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if not worker.startswith("gw") or workers < 2:
        return first, last
    size = (last - first + 1) // workers
    start = first + int(worker.removeprefix("gw")) * size
    return start, start + size - 1


def _whole_range(environ: Mapping[str, str]) -> tuple[int, int]:
    text = environ.get("ORDERFLOW_TEST_PORT_RANGE", "")
    if not text:
        return DEFAULT_RANGE
    first, _, last = text.partition("-")
    if not (first.isdecimal() and last.isdecimal() and 0 < int(first) <= int(last) < 65536):
        raise ValueError(
            f"ORDERFLOW_TEST_PORT_RANGE={text!r}: expected FIRST-LAST, e.g. 18600-18699"
        )
    return int(first), int(last)


def restartable_port() -> int:
    """A port in the range that nobody listens on now and this process did not hand out
    recently (tried in random order)."""
    first, last = port_range()
    candidates = [port for port in range(first, last + 1) if port not in _given]
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.append(port)
        return port
    raise RuntimeError(f"no free port in {first}-{last} (ORDERFLOW_TEST_PORT_RANGE)")

"""The kit stands alone: it imports nothing of orderflow's server."""

from __future__ import annotations

import subprocess
import sys

SERVER_PACKAGES = ("orderflow", "domains", "events", "outbox", "producers", "consumers")


def test_importing_every_kit_module_loads_no_server_package() -> None:
    script = (
        "import sys, orderflow_events, orderflow_events.faststream, orderflow_events.testing\n"
        "import orderflow_events.dedupe\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_PACKAGES!r}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)

    assert done.stdout.decode().strip() == "[]"

"""The kit's own subscriber tests, run again against the real broker (FastStream's
``TestKafkaBroker(with_real=True)``): the same test class, in memory in the kit's clean
virtualenv (``make kit-test``) and here on Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orderflow.settings import Settings

KIT = Path(__file__).resolve().parents[3] / "clients" / "python"


def test_the_kit_subscriber_tests_pass_against_the_real_broker(settings: Settings) -> None:
    env = {**os.environ, "ORDERFLOW_EVENTS_TEST_KAFKA": settings.kafka.bootstrap_servers}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "real", "kit_tests"],
        cwd=KIT,
        env=env,
        capture_output=True,
        check=False,
        timeout=110,
    )

    output = done.stdout.decode()
    assert done.returncode == 0, output[-3000:] + done.stderr.decode()[-2000:]
    assert "6 passed" in output, output[-1000:]

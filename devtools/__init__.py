"""Development tooling, not part of the shipped package: a private PostgreSQL and a one-node
Kafka (``orderflow dev up|down|status|env|classpath``), the fake partners (payment provider,
carrier, SMTP sink) and ``ensure_infrastructure()`` for the test fixtures.

Its dependencies (testcontainers, aiosmtpd, docker) are in the ``dev`` dependency group. Import
from the submodules: this package imports nothing, so ``orderflow --help`` stays fast.
"""

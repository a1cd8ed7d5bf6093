"""The bottom layer: technical conventions every other package shares.

The table naming convention (:mod:`foundation.naming`), the engine and session factory
(:mod:`foundation.database`) and the Kafka connection settings (:mod:`foundation.kafka`).
It imports nothing of the project, so anything may import it. Import from the submodules:
this package stays import-free so light modules (settings, the CLI) do not pay for SQLAlchemy.
"""

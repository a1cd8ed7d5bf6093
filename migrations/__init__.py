"""The alembic migration history (one history, every table in a named schema)."""

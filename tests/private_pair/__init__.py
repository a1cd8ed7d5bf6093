"""A PostgreSQL + Kafka pair of one test or suite, never the shared one: fault tests stop, kill
and restart them."""

from tests.private_pair.broker import PrivateBroker
from tests.private_pair.postgres import PrivatePostgres

__all__ = ["PrivateBroker", "PrivatePostgres"]

"""Turn infrastructure errors a user can fix into one clear line and a non-zero exit."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orderflow.settings import Settings


class UserError(Exception):
    """Something the user can fix; printed without a traceback."""


@contextmanager
def friendly_errors(settings: Settings) -> Iterator[None]:
    """Exit with a message (not a traceback) when the infrastructure cannot be reached."""
    # Imported here, not at the top: every CLI module imports this one (startup time).
    from aiokafka.errors import KafkaConnectionError, KafkaError

    try:
        yield
    except KeyboardInterrupt:
        sys.exit(130)
    except KafkaConnectionError as exc:
        _fail(
            f"cannot reach Kafka at {settings.kafka_bootstrap_servers} ({exc}). "
            "Start it with `orderflow dev up` or set ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS."
        )
    except (ConnectionRefusedError, OSError) as exc:
        _fail(
            f"cannot reach PostgreSQL or Kafka ({exc}). Start them with `orderflow dev up` "
            "or set ORDERFLOW_DATABASE_URL / ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS."
        )
    except KafkaError as exc:
        _fail(f"Kafka refused the request: {exc!r}")


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)

"""Fixtures of the tests that talk to the real PostgreSQL and Kafka."""

from tests.topics import deployment_topics

__all__ = ["deployment_topics"]

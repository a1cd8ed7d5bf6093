"""The consumer runtime and the consumers built on it.

Each consumer package exposes a factory that takes what the consumer needs (a mailer, a carrier,
a recipient directory); the composition root (``orderflow.wiring``) builds the deployed ones.
"""

from consumers.runtime import Consumer, ConsumerRuntime, RetryPolicy

__all__ = ["Consumer", "ConsumerRuntime", "RetryPolicy"]

"""The intake consumer group: orders upstream services submit as ``OrderSubmitted`` events."""

from consumers.intake.consumer import GROUP, intake_consumer

__all__ = ["GROUP", "intake_consumer"]

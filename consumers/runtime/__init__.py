"""The consumer runtime: decoding, inbox dedupe, dead letters, offsets and metrics.

Handlers are plain async functions of a typed event; everything around them lives here.
"""

from consumers.runtime.consumer import ConsumerRuntime
from consumers.runtime.handlers import Consumer, Handler, MessageContext
from consumers.runtime.inbox import inbox, metadata

__all__ = ["Consumer", "ConsumerRuntime", "Handler", "MessageContext", "inbox", "metadata"]

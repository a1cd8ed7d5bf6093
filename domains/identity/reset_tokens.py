"""Password-reset tokens that are never stored in plain.

The raw token is ``base64url(HMAC-SHA256(reset_key, reset_id))`` where ``reset_key`` is
derived from the signing secret with its own label. The database keeps only
``SHA-256(token)``. The owning domain can therefore recompute the token from the reset id
at send time (``get_reset_link``) while a database dump alone reveals no usable token.
Consequence: every process must share ``ORDERFLOW_JWT_SECRET``, and rotating it voids open
reset links (they expire within the hour anyway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

_LABEL = b"orderflow/password-reset/v1"


def derive_reset_token(secret: str, reset_id: uuid.UUID) -> str:
    """The raw token of ``reset_id`` (43 URL-safe characters)."""
    key = hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest()
    mac = hmac.new(key, reset_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_reset_token(token: str) -> bytes:
    """What the database stores and looks tokens up by."""
    return hashlib.sha256(token.encode()).digest()

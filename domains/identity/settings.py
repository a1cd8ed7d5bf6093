"""What the identity domain needs from the process settings (filled by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domains.identity.passwords import Passwords
from domains.identity.signing import KeyRing, TokenRules


@dataclass(frozen=True)
class IdentitySettings:
    """Signing keys and token rules, lifetimes, password hashing."""

    keys: KeyRing
    access_rules: TokenRules
    reset_secret: str = field(repr=False)  # derives reset tokens (``reset_tokens``)
    refresh_token_ttl_seconds: int = 14 * 86_400
    session_max_lifetime_seconds: int = 30 * 86_400
    password_reset_ttl_seconds: int = 3600
    passwords: Passwords = field(default_factory=Passwords)

    @property
    def access_token_ttl_seconds(self) -> int:
        """How long an access token lives (also the longest any token may claim)."""
        return self.access_rules.max_lifetime_seconds

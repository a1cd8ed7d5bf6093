"""Who is calling: the authenticated principal, and the error for callers who are not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domains.shared import DomainError

CUSTOMER = "customer"
ADMIN = "admin"
OPERATOR = "operator"
ROLES = frozenset({CUSTOMER, ADMIN, OPERATOR})


class Unauthenticated(DomainError):
    """The caller could not be identified (HTTP 401).

    Codes: ``missing_token``, ``invalid_token``, ``token_expired``, ``session_ended``,
    ``invalid_credentials``, ``invalid_refresh_token``.
    """

    code = "invalid_token"


@dataclass(frozen=True)
class Principal:
    """An authenticated user, the roles their access token grants and its session."""

    user_id: uuid.UUID
    roles: frozenset[str]
    session_id: uuid.UUID | None = None

    def has_role(self, role: str) -> bool:
        """Whether the token grants ``role`` (roles are not hierarchical)."""
        return role in self.roles

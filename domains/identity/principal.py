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

    Codes: ``missing_token``, ``invalid_token``, ``token_expired``, ``invalid_credentials``.
    """

    code = "invalid_token"


@dataclass(frozen=True)
class Principal:
    """An authenticated user and the roles their access token grants."""

    user_id: uuid.UUID
    roles: frozenset[str]

    def has_role(self, role: str) -> bool:
        """Whether the token grants ``role`` (roles are not hierarchical)."""
        return role in self.roles

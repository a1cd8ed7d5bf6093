"""The one import surface of the identity domain."""

from domains.identity.client_store import (
    ClientRecord,
    authenticate_client,
    find_client,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)
from domains.identity.contacts import email_of
from domains.identity.handlers import (
    IdentitySettings,
    RegisterUser,
    ResetPassword,
    get_reset_link,
    login,
    register_user,
    request_password_reset,
    reset_password,
)
from domains.identity.http import build_router
from domains.identity.model import User
from domains.identity.principal import ADMIN, CUSTOMER, OPERATOR, Principal, Unauthenticated
from domains.identity.service_clients import (
    ORDERS_PRICE,
    ORDERS_READ,
    ORDERS_WRITE,
    SCOPES,
    ServiceClient,
)
from domains.identity.tables import metadata
from domains.identity.tokens import decode_access_token, issue_access_token
from domains.identity.unit_of_work import IdentityUnitOfWork

__all__ = [
    "ADMIN",
    "CUSTOMER",
    "OPERATOR",
    "ORDERS_PRICE",
    "ORDERS_READ",
    "ORDERS_WRITE",
    "SCOPES",
    "ClientRecord",
    "IdentitySettings",
    "IdentityUnitOfWork",
    "Principal",
    "RegisterUser",
    "ResetPassword",
    "ServiceClient",
    "Unauthenticated",
    "User",
    "authenticate_client",
    "build_router",
    "decode_access_token",
    "email_of",
    "find_client",
    "get_reset_link",
    "issue_access_token",
    "list_clients",
    "login",
    "metadata",
    "register_client",
    "register_user",
    "request_password_reset",
    "reset_password",
    "revoke_client",
    "rotate_secret",
]

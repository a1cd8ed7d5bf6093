"""The one import surface of the identity domain."""

from domains.identity.access_tokens import (
    USER_TOKEN_TYPE,
    decode_access_token,
    issue_access_token,
    user_token_rules,
)
from domains.identity.bearer import BearerKind, BearerTokens, UserAccessTokens
from domains.identity.client_store import (
    ClientRecord,
    authenticate_client,
    find_client,
    find_clients,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)
from domains.identity.client_tokens import (
    CLIENT_TOKEN_TYPE,
    ActiveClients,
    ClientTokens,
    client_token_rules,
    decode_client_token,
    issue_client_token,
)
from domains.identity.contacts import email_of
from domains.identity.handlers import (
    RegisterUser,
    change_password,
    delete_user,
    get_user,
    login,
    register_user,
    set_roles,
)
from domains.identity.http import IdentityLimits, build_router, client_address
from domains.identity.model import User
from domains.identity.oauth_http import build_oauth_router
from domains.identity.passwords import Passwords
from domains.identity.principal import ADMIN, CUSTOMER, OPERATOR, Principal, Unauthenticated
from domains.identity.reset_handlers import (
    ResetPassword,
    get_reset_link,
    request_password_reset,
    reset_password,
)
from domains.identity.service_clients import (
    ORDERS_PRICE,
    ORDERS_READ,
    ORDERS_WRITE,
    SCOPES,
    ServiceClient,
)
from domains.identity.session_check import FreshnessCache, OpenSessions, SessionCheck
from domains.identity.session_handlers import TokenPair, end_session, refresh_session
from domains.identity.settings import IdentitySettings
from domains.identity.signing import (
    KeyRing,
    SignedToken,
    SigningKey,
    TokenRefused,
    TokenRules,
    sign_token,
    verify_token,
)
from domains.identity.tables import metadata
from domains.identity.unit_of_work import IdentityUnitOfWork

__all__ = [
    "ADMIN",
    "CLIENT_TOKEN_TYPE",
    "CUSTOMER",
    "OPERATOR",
    "ORDERS_PRICE",
    "ORDERS_READ",
    "ORDERS_WRITE",
    "SCOPES",
    "USER_TOKEN_TYPE",
    "ActiveClients",
    "BearerKind",
    "BearerTokens",
    "ClientRecord",
    "ClientTokens",
    "FreshnessCache",
    "IdentityLimits",
    "IdentitySettings",
    "IdentityUnitOfWork",
    "KeyRing",
    "OpenSessions",
    "Passwords",
    "Principal",
    "RegisterUser",
    "ResetPassword",
    "ServiceClient",
    "SessionCheck",
    "SignedToken",
    "SigningKey",
    "TokenPair",
    "TokenRefused",
    "TokenRules",
    "Unauthenticated",
    "User",
    "UserAccessTokens",
    "authenticate_client",
    "build_oauth_router",
    "build_router",
    "change_password",
    "client_address",
    "client_token_rules",
    "decode_access_token",
    "decode_client_token",
    "delete_user",
    "email_of",
    "end_session",
    "find_client",
    "find_clients",
    "get_reset_link",
    "get_user",
    "issue_access_token",
    "issue_client_token",
    "list_clients",
    "login",
    "metadata",
    "refresh_session",
    "register_client",
    "register_user",
    "request_password_reset",
    "reset_password",
    "revoke_client",
    "rotate_secret",
    "set_roles",
    "sign_token",
    "user_token_rules",
    "verify_token",
]

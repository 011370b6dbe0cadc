"""Users of the governance service: who they are, the roles they hold per department, their
passwords (Argon2id) and bearer tokens (login sessions, API keys for systems).

``jutong users add|list|grant|revoke|password|deactivate|token`` manages them; the REST API
(``web``) authenticates every call with a token and acts as ``USER:ROLE@DEPT``.
"""

from jutong.governance.users.passwords import PasswordError, hash_password, verify_password
from jutong.governance.users.store import (
    Grant,
    User,
    UserError,
    add_user,
    get_user,
    grant_role,
    list_users,
    parse_grant,
    revoke_role,
    set_active,
    set_password,
)
from jutong.governance.users.tokens import (
    AuthError,
    IssuedToken,
    authenticate,
    issue_token,
    list_tokens,
    login,
    revoke_token,
)

__all__ = [
    "AuthError",
    "Grant",
    "IssuedToken",
    "PasswordError",
    "User",
    "UserError",
    "add_user",
    "authenticate",
    "get_user",
    "grant_role",
    "hash_password",
    "issue_token",
    "list_tokens",
    "list_users",
    "login",
    "parse_grant",
    "revoke_role",
    "revoke_token",
    "set_active",
    "set_password",
    "verify_password",
]

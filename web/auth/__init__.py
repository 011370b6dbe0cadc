"""Who calls the API: bearer tokens (login sessions and API keys of
``jutong.governance.users``) and what the caller's roles allow (``catalog/roles.yaml`` through
``jutong.governance.access``; case decisions through the case rules)."""

from web.auth.policy import actor_for_event, require, visible_departments
from web.auth.principal import Principal, principal

__all__ = [
    "Principal",
    "actor_for_event",
    "principal",
    "require",
    "visible_departments",
]

"""Who fires a case event: a user with a role in a department.

On the command line ``--as USER:ROLE@DEPARTMENT`` (e.g. ``--as 李科员:requester_staff@minzheng``);
the embedded default is the operating-system user as bureau administrator of the bureau.

Citizens and organisations (数据使用主体, GX-Open art. 20(1)) act with the ``public`` role and
their portal account id in the department's place: ``--as 张三:public@zhangsan``. An account id
is never a department's id (so an account cannot act for a department), and a department's
staff never holds the ``public`` role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jutong.governance.cases.rules import Role

_AS = re.compile(r"^\s*([^:@]+?)\s*:\s*([a-z_]+)\s*@\s*([a-z0-9][a-z0-9_.\-]*)\s*$")
_DEPT = re.compile(r"^[a-z][a-z0-9_]*$")
ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")


class ActorError(ValueError):
    """A malformed ``--as`` or an unknown role/department."""


@dataclass(frozen=True)
class Actor:
    user: str
    role: Role
    department: str

    def __str__(self) -> str:
        return f"{self.user}:{self.role.value}@{self.department}"

    @property
    def is_public(self) -> bool:
        """A citizen's or organisation's account, not a department's staff."""
        return self.role is Role.public

    @property
    def account(self) -> str | None:
        return self.department if self.is_public else None


def parse_actor(text: str, departments: dict | None = None) -> Actor:
    m = _AS.match(text or "")
    if not m:
        raise ActorError(
            f"--as: '{text}' is not USER:ROLE@DEPARTMENT (e.g. 李科员:requester_staff@minzheng)"
        )
    user, role, dept = m.groups()
    try:
        r = Role(role)
    except ValueError:
        raise ActorError(
            f"--as: role '{role}' is not one of {', '.join(x.value for x in Role)}"
        ) from None
    if r is Role.public:
        if departments is not None and dept in departments:
            raise ActorError(
                f"--as: '{dept}' is a department; a public account acts under its own account id"
            )
        if not ACCOUNT.match(dept):
            raise ActorError(f"--as: '{dept}' is not an account id (a-z, 0-9, _ . -; 2-64)")
        return Actor(user, r, dept)
    if not _DEPT.match(dept):
        raise ActorError(f"--as: '{dept}' is not a department id (a-z, 0-9, _)")
    if departments is not None and dept not in departments:
        raise ActorError(
            f"--as: department '{dept}' is not in catalog/departments.yaml "
            f"(known: {', '.join(sorted(departments))})"
        )
    return Actor(user, r, dept)

"""Who fires a case event: a user with a role in a department.

On the command line ``--as USER:ROLE@DEPARTMENT`` (e.g. ``--as 李科员:requester_staff@minzheng``);
the embedded default is the operating-system user as bureau administrator of the bureau.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jutong.governance.cases.rules import Role

_AS = re.compile(r"^\s*([^:@]+?)\s*:\s*([a-z_]+)\s*@\s*([a-z][a-z0-9_]*)\s*$")


class ActorError(ValueError):
    """A malformed ``--as`` or an unknown role/department."""


@dataclass(frozen=True)
class Actor:
    user: str
    role: Role
    department: str

    def __str__(self) -> str:
        return f"{self.user}:{self.role.value}@{self.department}"


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
    if departments is not None and dept not in departments:
        raise ActorError(
            f"--as: department '{dept}' is not in catalog/departments.yaml "
            f"(known: {', '.join(sorted(departments))})"
        )
    return Actor(user, r, dept)

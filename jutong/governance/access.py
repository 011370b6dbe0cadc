"""Who may read what: roles, their permissions and scope, from ``catalog/roles.yaml``.

A role has permissions (``share.read``, ``audit.export``, ``raw.read`` …) and a scope: ``all``
departments' records, or only its ``own`` department's (a case it requests or provides, its own
raw zone, deliveries granted to it; LZ-Rules art. 31). ``authorize`` answers or raises
``PermissionDenied``; every denial is an audit event (``access.denied``). Case decisions are
governed by the case rules (``jutong.governance.cases.rules``), not by this file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import PermissionDenied
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.settings import Settings

ROLES_FILE = "roles.yaml"
SCOPES = ("all", "own")


class PolicyError(ValueError):
    """``catalog/roles.yaml`` is missing or invalid; the message names the place."""


@dataclass(frozen=True)
class RolePolicy:
    role: Role
    scope: str
    permissions: frozenset[str]


def load_policies(catalog_dir: Path) -> dict[Role, RolePolicy]:
    path = Path(catalog_dir) / ROLES_FILE
    if not path.is_file():
        raise PolicyError(f"{path}: missing (the roles and their permissions)")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise PolicyError(f"{path}: not valid YAML: {err}") from None
    roles = doc.get("roles") if isinstance(doc, dict) else None
    if not isinstance(roles, dict):
        raise PolicyError(f"{path}: roles: expected a mapping of role -> scope, permissions")
    out: dict[Role, RolePolicy] = {}
    for name, spec in roles.items():
        where = f"{path}: roles.{name}"
        try:
            role = Role(name)
        except ValueError:
            raise PolicyError(
                f"{where}: unknown role (known: {', '.join(r.value for r in Role)})"
            ) from None
        if not isinstance(spec, dict) or set(spec) - {"scope", "permissions"}:
            raise PolicyError(f"{where}: expected scope and permissions only")
        scope = spec.get("scope")
        if scope not in SCOPES:
            raise PolicyError(f"{where}.scope: '{scope}' is not one of {', '.join(SCOPES)}")
        perms = spec.get("permissions") or []
        if not isinstance(perms, list) or not all(isinstance(p, str) and p for p in perms):
            raise PolicyError(f"{where}.permissions: expected a list of names")
        out[role] = RolePolicy(role, scope, frozenset(perms))
    return out


def allowed(
    policies: dict[Role, RolePolicy], actor: Actor, permission: str, departments: Iterable[str]
) -> bool:
    """Whether ``actor`` has ``permission`` on a record of ``departments`` (any one of them;
    an empty list means a record of no particular department)."""
    pol = policies.get(actor.role)
    if pol is None or permission not in pol.permissions:
        return False
    depts = [d for d in departments if d]
    return pol.scope == "all" or not depts or actor.department in depts


def authorize(
    settings: Settings,
    actor: Actor,
    permission: str,
    *,
    departments: Iterable[str] = (),
    subject: str = "-",
    policies: dict[Role, RolePolicy] | None = None,
) -> None:
    """Raise ``PermissionDenied`` (and audit the denial) unless ``actor`` may."""
    policies = policies or load_policies(settings.catalog_dir)
    depts = list(departments)
    if allowed(policies, actor, permission, depts):
        return
    pol = policies.get(actor.role)
    if pol is None or permission not in pol.permissions:
        why = f"{actor.role.value} has no '{permission}' permission"
    else:
        why = f"{actor} may see only {actor.department}'s records, not {', '.join(depts)}'s"
    with engine(settings).begin() as conn:
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action="access.denied",
            subject=subject,
            data={"permission": permission, "departments": depts, "reason": why},
        )
    raise PermissionDenied(f"permission denied: {why} (catalog/roles.yaml; LZ-Rules art. 31)")


def visible_departments(
    policies: dict[Role, RolePolicy], actor: Actor, permission: str
) -> set[str] | None:
    """None when ``actor`` sees every department's records under ``permission``, else the set
    it sees (empty when it has no such permission)."""
    pol = policies.get(actor.role)
    if pol is None or permission not in pol.permissions:
        return set()
    return None if pol.scope == "all" else {actor.department}

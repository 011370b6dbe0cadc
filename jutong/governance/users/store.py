"""Users and the roles they hold per department (the ``USER:ROLE@DEPT`` actors of the case
engine; ``catalog/roles.yaml`` says what each role may read).

Every change (a user added, a role granted or revoked, a user deactivated) is an audit event
in the same transaction (GX-Dispatch art. 42; SX-Reg art. 24: permission management).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import ACCOUNT, Actor
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import user_roles, users
from jutong.governance.users.passwords import hash_password
from jutong.settings import Settings

_NAME = re.compile(r"^[^\s:@/]{1,128}$")


class UserError(ValueError):
    """A refused user operation; the message says what was wrong."""


@dataclass(frozen=True)
class Grant:
    role: Role
    department: str

    def __str__(self) -> str:
        return f"{self.role.value}@{self.department}"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str | None
    active: bool
    has_password: bool
    created_at: dt.datetime
    grants: tuple[Grant, ...]

    def actor(self, grant: Grant) -> Actor:
        return Actor(self.name, grant.role, grant.department)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "active": self.active,
            "has_password": self.has_password,
            "created_at": self.created_at.isoformat(),
            "roles": [{"role": g.role.value, "department": g.department} for g in self.grants],
        }


def parse_grant(text: str, departments: dict | None = None) -> Grant:
    """``ROLE@DEPARTMENT`` (e.g. ``provider_staff@gongan``)."""
    role, sep, dept = (text or "").strip().partition("@")
    if not sep or not role or not dept:
        raise UserError(f"'{text}' is not ROLE@DEPARTMENT (e.g. provider_staff@gongan)")
    try:
        r = Role(role.strip())
    except ValueError:
        raise UserError(f"role '{role}' is not one of {', '.join(x.value for x in Role)}") from None
    dept = dept.strip()
    if r is Role.public:
        # a citizen's or organisation's portal account: public@ACCOUNT, never a department
        # (jutong.governance.cases.actors; docs/opening.md)
        if not ACCOUNT.match(dept) or (departments is not None and dept in departments):
            raise UserError(
                f"'{text}': the public role is granted on an account id (public@zhangsan), "
                "never on a department"
            )
        return Grant(r, dept)
    if departments is not None and dept not in departments:
        raise UserError(
            f"department '{dept}' is not in catalog/departments.yaml "
            f"(known: {', '.join(sorted(departments))})"
        )
    return Grant(r, dept)


def _grants(conn: sa.Connection, user_id: int) -> tuple[Grant, ...]:
    rows = conn.execute(
        sa.select(user_roles.c.role, user_roles.c.department)
        .where(user_roles.c.user_id == user_id)
        .order_by(user_roles.c.id)
    ).all()
    return tuple(Grant(Role(r.role), r.department) for r in rows)


def _user(conn: sa.Connection, row: sa.Row) -> User:
    return User(
        id=row.id,
        name=row.name,
        display_name=row.display_name,
        active=bool(row.active),
        has_password=bool(row.password_hash),
        created_at=row.created_at,
        grants=_grants(conn, row.id),
    )


def get_user(settings: Settings, name: str, conn: sa.Connection | None = None) -> User:
    def read(c: sa.Connection) -> User:
        row = c.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            raise UserError(f"user '{name}': no such user")
        return _user(c, row)

    if conn is not None:
        return read(conn)
    with engine(settings).connect() as c:
        return read(c)


def user_by_id(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _user(conn, row) if row else None


def password_hash_of(settings: Settings, name: str) -> str | None:
    with engine(settings).connect() as conn:
        return conn.execute(
            sa.select(users.c.password_hash).where(users.c.name == name, users.c.active)
        ).scalar()


def list_users(settings: Settings) -> list[User]:
    with engine(settings).connect() as conn:
        return [_user(conn, r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def add_user(
    settings: Settings,
    name: str,
    *,
    by: str,
    password: str | None = None,
    display_name: str | None = None,
    grants: list[Grant] | None = None,
) -> User:
    """A new user (a password for people; none for a system that uses API keys only)."""
    name = (name or "").strip()
    if not _NAME.match(name):
        raise UserError(f"user name '{name}': 1–128 characters, no spaces, ':', '@' or '/'")
    pw = hash_password(password) if password is not None else None
    now = utcnow()
    with engine(settings).begin() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
            raise UserError(f"user '{name}' already exists")
        uid = conn.execute(
            sa.insert(users)
            .values(
                name=name,
                display_name=display_name,
                password_hash=pw,
                active=True,
                created_at=now,
                created_by=by,
            )
            .returning(users.c.id)
        ).scalar_one()
        for g in grants or []:
            _insert_grant(conn, uid, g, by, now)
        audit.append(
            conn,
            actor=by,
            action="user.add",
            subject=f"user:{name}",
            data={"password": pw is not None, "roles": [str(g) for g in grants or []]},
        )
        return get_user(settings, name, conn)


def _insert_grant(conn: sa.Connection, uid: int, g: Grant, by: str, now: dt.datetime) -> None:
    conn.execute(
        sa.insert(user_roles).values(
            user_id=uid,
            role=g.role.value,
            department=g.department,
            granted_at=now,
            granted_by=by,
        )
    )


def grant_role(settings: Settings, name: str, grant: Grant, *, by: str) -> User:
    with engine(settings).begin() as conn:
        user = get_user(settings, name, conn)
        if grant in user.grants:
            raise UserError(f"user '{name}' already holds {grant}")
        _insert_grant(conn, user.id, grant, by, utcnow())
        audit.append(
            conn,
            actor=by,
            role=grant.role.value,
            department=grant.department,
            action="user.grant",
            subject=f"user:{name}",
            data={"grant": str(grant)},
        )
        return get_user(settings, name, conn)


def revoke_role(settings: Settings, name: str, grant: Grant, *, by: str) -> User:
    with engine(settings).begin() as conn:
        user = get_user(settings, name, conn)
        if grant not in user.grants:
            raise UserError(f"user '{name}' does not hold {grant}")
        conn.execute(
            sa.delete(user_roles).where(
                user_roles.c.user_id == user.id,
                user_roles.c.role == grant.role.value,
                user_roles.c.department == grant.department,
            )
        )
        audit.append(
            conn,
            actor=by,
            role=grant.role.value,
            department=grant.department,
            action="user.revoke",
            subject=f"user:{name}",
            data={"grant": str(grant)},
        )
        return get_user(settings, name, conn)


def set_password(settings: Settings, name: str, password: str, *, by: str) -> User:
    pw = hash_password(password)
    with engine(settings).begin() as conn:
        user = get_user(settings, name, conn)
        conn.execute(sa.update(users).where(users.c.id == user.id).values(password_hash=pw))
        audit.append(conn, actor=by, action="user.password", subject=f"user:{name}", data={})
        return get_user(settings, name, conn)


def set_active(settings: Settings, name: str, active: bool, *, by: str) -> User:
    """Deactivate (or reactivate) a user: a deactivated user's tokens stop working at once."""
    with engine(settings).begin() as conn:
        user = get_user(settings, name, conn)
        conn.execute(sa.update(users).where(users.c.id == user.id).values(active=active))
        audit.append(
            conn,
            actor=by,
            action="user.activate" if active else "user.deactivate",
            subject=f"user:{name}",
            data={},
        )
        return get_user(settings, name, conn)

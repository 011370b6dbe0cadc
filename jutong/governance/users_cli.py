"""``jutong users add | list | grant | revoke | password | deactivate | activate | token |
tokens``: the users of the governance service (``jutong serve``), their roles per department
and their bearer tokens.

A person gets a password (``--password`` asks for it, ``--password-stdin`` reads one line) and
logs in through ``POST /api/v1/auth/login``; a system gets an API key (``jutong users token``,
shown once). Roles are ``ROLE@DEPARTMENT`` (``provider_staff@gongan``): the parties and roles
of the case rules (``jutong cases rules``) and of ``catalog/roles.yaml``. Every change is an
audit event.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from jutong.governance.cli_common import fail, os_user, settings_
from jutong.textable import render


def _errors() -> tuple[type[BaseException], ...]:
    from jutong.catalog.loader import CatalogError
    from jutong.governance.users import PasswordError, UserError

    return (UserError, PasswordError, CatalogError)


def _departments(settings) -> dict:
    from jutong.catalog.loader import load_catalog

    return load_catalog(settings.catalog_dir).departments


def _password(args) -> str | None:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if getattr(args, "password", False):
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            from jutong.governance.users import UserError

            raise UserError("the two passwords differ")
        return first
    return None


def cmd_add(args) -> int:
    from jutong.governance.users import add_user, parse_grant

    try:
        settings = settings_()
        depts = _departments(settings)
        grants = [parse_grant(g, depts) for g in args.role or []]
        user = add_user(
            settings,
            args.name,
            by=args.by or os_user(),
            password=_password(args),
            display_name=args.display_name,
            grants=grants,
        )
    except _errors() as err:
        return fail("users", err)
    roles = ", ".join(str(g) for g in user.grants) or "no role yet (jutong users grant)"
    print(f"user {user.name} added ({'password' if user.has_password else 'no password'}): {roles}")
    return 0


def cmd_list(args) -> int:
    from jutong.governance.users import list_users

    try:
        users = list_users(settings_())
    except _errors() as err:
        return fail("users", err)
    if args.json:
        print(json.dumps([u.to_dict() for u in users], ensure_ascii=False, indent=2))
        return 0
    if not users:
        print("No users (jutong users add NAME --role ROLE@DEPT).")
        return 0
    rows = [
        (
            u.name,
            u.display_name or "",
            "yes" if u.active else "no",
            "yes" if u.has_password else "no",
            ", ".join(str(g) for g in u.grants),
        )
        for u in users
    ]
    print(render(["user", "name", "active", "password", "roles"], rows))
    return 0


def cmd_grant(args) -> int:
    from jutong.governance.users import grant_role, parse_grant, revoke_role

    try:
        settings = settings_()
        grant = parse_grant(args.grant, _departments(settings))
        fn = grant_role if args.users_cmd == "grant" else revoke_role
        user = fn(settings, args.name, grant, by=args.by or os_user())
    except _errors() as err:
        return fail("users", err)
    print(f"{user.name}: {', '.join(str(g) for g in user.grants) or 'no role'}")
    return 0


def cmd_password(args) -> int:
    from jutong.governance.users import UserError, set_password

    try:
        pw = _password(args)
        if pw is None:
            raise UserError("give --password (asked) or --password-stdin")
        set_password(settings_(), args.name, pw, by=args.by or os_user())
    except _errors() as err:
        return fail("users", err)
    print(f"{args.name}: password set")
    return 0


def cmd_active(args) -> int:
    from jutong.governance.users import set_active

    try:
        user = set_active(
            settings_(), args.name, args.users_cmd == "activate", by=args.by or os_user()
        )
    except _errors() as err:
        return fail("users", err)
    print(f"{user.name}: {'active' if user.active else 'deactivated (its tokens stop working)'}")
    return 0


def cmd_token(args) -> int:
    from jutong.governance.users import issue_token, revoke_token

    try:
        settings = settings_()
        if args.revoke:
            prefix = revoke_token(settings, args.revoke, by=args.by or os_user())
            print(f"token {prefix}… revoked")
            return 0
        if not args.name:
            from jutong.governance.users import UserError

            raise UserError("name the user (jutong users token NAME) or give --revoke TOKEN")
        hours = args.hours if args.hours is not None else (args.days * 24 if args.days else None)
        issued = issue_token(
            settings,
            args.name,
            by=args.by or os_user(),
            kind="session" if args.session else "api_key",
            name=args.label,
            hours=hours,
        )
    except _errors() as err:
        return fail("users", err)
    if args.json:
        print(json.dumps(issued.to_dict(), ensure_ascii=False, indent=2))
        return 0
    until = (
        issued.expires_at.isoformat(timespec="minutes") + " UTC"
        if issued.expires_at
        else ("revoked")
    )
    print(issued.token)
    print(
        f"{issued.kind} for {issued.user} (prefix {issued.prefix}, valid until {until}); "
        "shown once: send it as 'Authorization: Bearer <token>'",
        file=sys.stderr,
    )
    return 0


def cmd_tokens(args) -> int:
    from jutong.governance.users import list_tokens

    try:
        rows = list_tokens(settings_(), args.name)
    except _errors() as err:
        return fail("users", err)
    if not rows:
        print("No tokens.")
        return 0

    def t(v):
        return v.isoformat(timespec="minutes") if v else ""

    print(
        render(
            ["prefix", "user", "kind", "name", "created", "expires", "last used", "revoked"],
            [
                (
                    r["prefix"],
                    r["user"],
                    r["kind"],
                    r["name"] or "",
                    t(r["created_at"]),
                    t(r["expires_at"]),
                    t(r["last_used_at"]),
                    t(r["revoked_at"]),
                )
                for r in rows
            ],
        )
    )
    return 0


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", help="who makes the change (default: the OS user)")


def _pw(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--password", action="store_true", help="ask for a password (twice)")
    g.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def register(sub) -> None:
    p = sub.add_parser(
        "users",
        help="users of the governance service, their roles and tokens",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="users_cmd", metavar="VERB", required=True)

    a = verbs.add_parser("add", help="add a user (a person with a password, or a system)")
    a.add_argument("name")
    a.add_argument("--display-name")
    a.add_argument("--role", action="append", metavar="ROLE@DEPT", help="repeatable")
    _pw(a)
    _by(a)
    a.set_defaults(func=cmd_add)

    ls = verbs.add_parser("list", help="users and their roles")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    for verb, help_ in (("grant", "give a user a role"), ("revoke", "take a role away")):
        g = verbs.add_parser(verb, help=help_ + " in a department (ROLE@DEPT)")
        g.add_argument("name")
        g.add_argument("grant", metavar="ROLE@DEPT")
        _by(g)
        g.set_defaults(func=cmd_grant)

    pw = verbs.add_parser("password", help="set a user's password")
    pw.add_argument("name")
    _pw(pw)
    _by(pw)
    pw.set_defaults(func=cmd_password)

    for verb in ("deactivate", "activate"):
        d = verbs.add_parser(verb, help=f"{verb} a user")
        d.add_argument("name")
        _by(d)
        d.set_defaults(func=cmd_active)

    t = verbs.add_parser("token", help="issue an API key (shown once), or --revoke one")
    t.add_argument("name", nargs="?")
    t.add_argument("--label", help="what the key is for (e.g. the system's name)")
    t.add_argument("--days", type=float, help="expire after this many days (default: never)")
    t.add_argument("--hours", type=float, help="expire after this many hours")
    t.add_argument("--session", action="store_true", help="a login session, not an API key")
    t.add_argument("--revoke", metavar="TOKEN_OR_PREFIX")
    t.add_argument("--json", action="store_true")
    _by(t)
    t.set_defaults(func=cmd_token)

    tl = verbs.add_parser("tokens", help="tokens issued (prefixes only)")
    tl.add_argument("name", nargs="?")
    tl.set_defaults(func=cmd_tokens)

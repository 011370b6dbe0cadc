"""The demo's users: one per kind of user of the console and the API, with a password made at
random for this home (never in the repository) and kept in ``<lake>/demo_users.txt``
(readable by the owner only), so that a second ``make demo`` shows the same ones."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from jutong.governance.users.store import UserError, add_user, list_users, parse_grant
from jutong.settings import Settings

# (login, display name, roles): the departments of the demo's share story (sharing/demo.py)
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("admin", "大数据局管理员 bureau admin", ("bureau_admin@dashuju",)),
    ("wang.shenhe", "王审核 bureau reviewer", ("bureau_reviewer@dashuju",)),
    ("zhang.gongan", "张警官 provider (公安)", ("provider_staff@gongan",)),
    ("zhou.shichang", "周科员 requester (市场监管)", ("requester_staff@shichang",)),
    ("li.minzheng", "李科员 requester (民政)", ("requester_staff@minzheng",)),
    ("chen.zhiliang", "陈质量 quality owner (人社)", ("quality_owner@renshe",)),
    ("liu.kaifang", "刘开放 open-data staff", ("open_data_staff@dashuju",)),
    ("zhao.shenji", "赵审计 auditor", ("auditor@dashuju",)),
)
BY = "demo"


def credentials_file(settings: Settings) -> Path:
    return settings.lake_root / "demo_users.txt"


def _read(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            name, pw = line.split("\t", 1)
            out[name] = pw
    return out


def ensure_demo_users(settings: Settings) -> list[tuple[str, str, str, str]]:
    """Create the demo users that do not exist yet; (login, password, display name, roles)
    of each, the password from the credentials file (or "-" when the user exists from
    elsewhere and its password is not known here)."""
    path = credentials_file(settings)
    known = _read(path)
    existing = {u.name for u in list_users(settings)}
    out = []
    for name, display, roles in DEMO_USERS:
        if name not in existing:
            pw = secrets.token_urlsafe(9)
            try:
                add_user(
                    settings,
                    name,
                    by=BY,
                    password=pw,
                    display_name=display,
                    grants=[parse_grant(r) for r in roles],
                )
                known[name] = pw
            except UserError:  # made at the same moment by another run
                pass
        out.append((name, known.get(name, "-"), display, ", ".join(roles)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("# demo users of this home: login<TAB>password (jutong users list)\n")
        f.writelines(f"{n}\t{p}\n" for n, p in sorted(known.items()))
    return out


def demo_summary(settings: Settings) -> list[str]:
    users = ensure_demo_users(settings)
    host, port = settings.serve_host, settings.serve_port
    lines = [
        "The governance service (REST API, staff console, open-data portal): jutong serve",
        f"  API http://{host}:{port}/api/docs · console http://{host}:{port}/console/ · "
        f"portal http://{host}:{port}/",
        f"  demo users (passwords also in {credentials_file(settings)}):",
    ]
    width = max(len(u[0]) for u in users)
    for name, pw, display, roles in users:
        lines.append(f"    {name:<{width}}  {pw:<12}  {roles:<26}  {display}")
    return lines

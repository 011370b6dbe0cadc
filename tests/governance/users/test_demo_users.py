"""The demo's users: made once per home with random passwords kept outside the repository
(owner-only file), the same on a second run, able to log in with their roles, and named in
the demo summary with the service's addresses (one test: each password costs an Argon2id hash)."""

from __future__ import annotations

import stat

from jutong.governance.users import list_users, login
from jutong.governance.users.demo import (
    DEMO_USERS,
    credentials_file,
    demo_summary,
    ensure_demo_users,
)


def test_made_once_with_random_passwords_that_log_in(settings):
    first = ensure_demo_users(settings)
    assert [u[0] for u in first] == [u[0] for u in DEMO_USERS]
    passwords = {name: pw for name, pw, _, _ in first}
    assert len(set(passwords.values())) == len(DEMO_USERS) and "-" not in passwords.values()
    path = credentials_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.lake_root in path.parents

    again = ensure_demo_users(settings)
    assert {n: pw for n, pw, _, _ in again} == passwords
    users = {u.name: u for u in list_users(settings)}
    assert len(users) == len(DEMO_USERS)
    assert [str(g) for g in users["zhang.gongan"].grants] == ["provider_staff@gongan"]
    token = login(settings, "zhang.gongan", passwords["zhang.gongan"])
    assert token.token.startswith("jt_")

    # the demo's summary (after the users exist: no hashing again)
    text = "\n".join(demo_summary(settings))
    assert "jutong serve" in text and "/console/" in text and "/api/docs" in text
    for name, _, roles in DEMO_USERS:
        assert name in text and roles[0] in text

"""``jutong governance copy --from FILE``: the embedded SQLite database moved into a new
PostgreSQL one — every row, the ids, the audit chain (verified there), and the id sequences
moved past the copied rows so the next case does not collide."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jutong.cli import main
from jutong.governance.audit import verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.queries import list_cases
from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import cases
from jutong.governance.sharing.requests import request_share
from jutong.governance.users import add_user, parse_grant
from jutong.settings import reset_settings_cache
from jutong.workdays import CHINA_TZ
from tests.conftest import settings_for

REQ = parse_actor("李科员:requester_staff@minzheng")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
AT = dt.datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ)


def _share(settings):
    return request_share(
        settings, actor=REQ, resource="gongan.huji", items=["name"], purpose="低保资格核查", at=AT
    )


def test_copy_sqlite_into_postgresql(settings, pg_url_factory, monkeypatch, capsys):
    # the embedded database, with a case moved on, a user and audit events
    first = _share(settings)
    fire(settings, first.ref, "pass", actor=BUREAU, at=AT + dt.timedelta(days=1))
    _share(settings)
    add_user(settings, "wang", by="admin", grants=[parse_grant("bureau_reviewer@dashuju")])
    sqlite_file = settings.lake_root / "governance.db"
    dispose_all()

    target_uri = pg_url_factory()
    monkeypatch.setenv("JUTONG_GOVERNANCE_DB_URI", target_uri)
    reset_settings_cache()
    assert main(["governance", "copy", "--from", str(sqlite_file)]) == 0
    out = capsys.readouterr().out
    assert "to postgresql+psycopg2://jutong@" in out and "cases 2" in out and "users 1" in out
    assert "audit chain on the target: ok" in out

    pg = settings_for(settings.home, governance_db_uri=target_uri)
    try:
        assert [(c.ref, c.state, c.version) for c in list_cases(pg)] == [
            ("SR-000001", "provider_review", 2),
            ("SR-000002", "submitted", 1),
        ]
        assert verify(pg).ok
        third = _share(pg)  # the sequence continues past the copied ids
        assert third.ref == "SR-000003"
        with engine(pg).connect() as conn:
            assert conn.execute(sa.select(sa.func.max(cases.c.seq))).scalar() == 3
        assert verify(pg).ok and verify(pg).events == 5

        # a second copy into a database that holds rows is refused, nothing changes
        assert main(["governance", "copy", "--from", str(sqlite_file)]) == 1
        err = capsys.readouterr().err
        assert "the target already holds rows" in err and "cases" in err
        assert len(list_cases(pg)) == 3
    finally:
        dispose_all()
        reset_settings_cache()


def test_copy_refuses_a_missing_source_file(settings, tmp_path, capsys):
    assert main(["governance", "copy", "--from", str(tmp_path / "nothing.db")]) == 1
    assert "no governance database at" in capsys.readouterr().err

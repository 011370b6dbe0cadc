"""Migration 0008: every correction ticket and clerical review item made before it gets its
case, in its current state, with its clock; the processes then go on through the case
engine. On SQLite and PostgreSQL (``postgres`` marker)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from jutong.governance import db, schema
from jutong.settings import reset_settings_cache
from tests.conftest import settings_for

pytestmark = pytest.mark.postgres

D = dt.date
UTC = dt.datetime  # naive UTC, as stored


@pytest.fixture()
def s(home, governance_backend, request, tmp_path):
    db.dispose_all()
    if governance_backend == "postgresql":
        uri = request.getfixturevalue("pg_url_factory")()
    else:
        uri = f"sqlite:///{tmp_path / 'governance-0007.db'}"
    yield settings_for(home, governance_db_uri=uri)
    db.dispose_all()
    reset_settings_cache()  # a test that ran the command line loaded the settings


def _ticket(seq: int, **kw) -> dict:
    row = {
        "department": "gongan",
        "kind": "blocked_batch",
        "subject": f"gongan.huji batch b{seq} blocked",
        "details": {"dataset": "gongan.huji"},
        "source_ref": f"gate:gongan.huji:b{seq}",
        # Tue 29 Sep 2026 10:00 Beijing: 5 wd across National Day -> Mon 12 Oct
        "opened_at": UTC(2026, 9, 29, 2, 0),
        "opened_by": "jutong",
        "received_on": D(2026, 9, 29),
        "original_due_on": D(2026, 10, 12),
        "due_on": D(2026, 10, 12),
        "due_provisional": False,
        "status": "open",
    }
    return {**row, **kw}


def _rows_at_0007(s) -> None:
    tickets = [
        _ticket(1),
        # extended on Fri 9 Oct by 3 wd from 12 Oct: 13, 14, 15
        _ticket(
            2,
            due_on=D(2026, 10, 15),
            extension_days=3,
            extension_approved_by="刘科长",
            extension_reason="数据量大",
            extended_at=UTC(2026, 10, 9, 1, 0),
        ),
        # resolved late (Tue 13 Oct) and in time (Thu 8 Oct)
        _ticket(3, status="resolved", resolved_at=UTC(2026, 10, 13, 3, 0), resolved_by="张工"),
        _ticket(4, status="resolved", resolved_at=UTC(2026, 10, 8, 3, 0), resolved_by="张工"),
    ]
    seen = UTC(2026, 11, 20, 2, 0)
    reviews = [
        {"status": st, "decided_by": by, "decided_at": at, "n": i}
        for i, st, by, at in (
            (1, "pending", None, None),
            (2, "accepted", "孙质量", seen),
            (3, "rejected", "孙质量", seen),
        )
    ]
    with db._raw_engine(s.governance_db_uri).begin() as conn:
        for t in tickets:  # one by one: the rows have different columns
            conn.execute(sa.insert(schema.tickets).values(**t))
        for r in reviews:  # ids 1, 2, 3 (as tickets 1–4) from the tables' own sequences
            n = r.pop("n")
            conn.execute(
                sa.insert(schema.review_items).values(
                    base="population",
                    mention_id=f"g:{n}",
                    entity_id=f"P{n:07d}",
                    match_probability=0.8,
                    details="{}",
                    first_seen=seen,
                    last_seen=seen,
                    **r,
                )
            )


def test_tickets_and_review_items_get_their_cases_and_go_on_through_the_engine(s):
    from jutong.base import review
    from jutong.governance import tickets
    from jutong.governance.audit import events, verify
    from jutong.governance.cases.queries import clocks_of, get_case

    assert db.upgrade(s, "0007").to_revision == "0007"
    _rows_at_0007(s)
    assert db.upgrade(s).to_revision == db.head_revision()

    states = {r: get_case(s, r).state for r in ("T-000001", "T-000002", "T-000003", "T-000004")}
    assert states == {
        "T-000001": "open",
        "T-000002": "extended",
        "T-000003": "resolved",
        "T-000004": "resolved",
    }
    one = get_case(s, "T-000001")
    assert (one.kind, one.flow, one.provider, one.bureau, one.closed) == (
        "ticket",
        "ticket",
        "gongan",
        "dashuju",
        False,
    )
    assert [(k.state, k.status, k.due_on) for k in clocks_of(s, "T-000001")] == [
        ("open", "running", D(2026, 10, 12))
    ]
    # the extension continues the count: received 29 Sep, 5 + 3 working days
    assert [(k.state, k.status, k.due_on) for k in clocks_of(s, "T-000002")] == [
        ("open", "extended", D(2026, 10, 12)),
        ("extended", "running", D(2026, 10, 15)),
    ]
    assert [(k.status, k.closed_on) for k in clocks_of(s, "T-000003")] == [
        ("missed", D(2026, 10, 13))
    ]
    assert [k.status for k in clocks_of(s, "T-000004")] == ["met"]
    assert {r: get_case(s, f"review:{r}").state for r in (1, 2, 3)} == {
        1: "pending",
        2: "merged",
        3: "kept_apart",
    }
    [ev] = list(events(s, action="cases.backfill"))
    assert ev.data["tickets"] == 4 and ev.data["review_items"] == 3

    # the backfilled cases go on: the extended ticket resolved, the pending item decided
    t2 = tickets.resolve_ticket(s, "T-000002", note="已核实更正", resolved_by="王科长")
    assert t2.status == "resolved"
    c2 = get_case(s, "T-000002")
    assert (c2.state, c2.closed) == ("resolved", True)
    assert clocks_of(s, "T-000002")[-1].status in ("met", "missed")
    item = review.decide(s, 1, "rejected", by="孙质量", note="不同人")
    assert item.status == "rejected" and get_case(s, "review:1").state == "kept_apart"
    # a ticket opened now is a case too (its id is the next ticket's)
    t5 = tickets.open_ticket(
        s, department="minzheng", kind="conflict", subject="出生日期冲突", source_ref="c:5"
    )
    assert t5.id == "T-000005" and get_case(s, t5.id).state == "open"
    assert verify(s).ok


def test_downgrade_removes_the_backfilled_cases_and_keeps_the_records(s, capsys, monkeypatch):
    from jutong.cli import main
    from jutong.governance.audit import events, verify
    from jutong.governance.cases.actors import parse_actor
    from jutong.governance.cases.model import CaseError
    from jutong.governance.cases.queries import clocks_of, get_case, list_cases
    from jutong.governance.sharing.requests import request_share

    db.upgrade(s, "0007")
    _rows_at_0007(s)
    db.upgrade(s)
    share = request_share(  # a share request's case is not 0008's: it stays
        s,
        actor=parse_actor("李科员:requester_staff@minzheng"),
        resource="shichang.qiye",
        items=["uscc"],
        purpose="核对",
    )
    before = {c.ref: (c.state, [k.due_on for k in clocks_of(s, c.ref)]) for c in list_cases(s)}
    n_events = len(list(events(s)))

    with pytest.raises(db.SchemaMismatchError, match="'0009' to go back to"):
        db.downgrade(s, "0009")
    with pytest.raises(db.SchemaMismatchError, match="'0008' is not an earlier one"):
        db.downgrade(s, "0008")
    res = db.downgrade(s, "0007")
    assert (res.from_revision, res.to_revision) == ("0008", "0007")
    with db._raw_engine(s.governance_db_uri).connect() as conn:
        kinds = conn.execute(sa.select(schema.cases.c.kind)).scalars().all()
        orphans = conn.execute(
            sa.select(sa.func.count())
            .select_from(schema.case_clocks)
            .where(schema.case_clocks.c.case_seq.not_in(sa.select(schema.cases.c.seq)))
        ).scalar_one()
        n_tickets = conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar()
        n_items = conn.execute(
            sa.select(sa.func.count()).select_from(schema.review_items)
        ).scalar_one()
    assert kinds == ["share_request"] and orphans == 0
    assert (n_tickets, n_items) == (4, 3)  # the records themselves are untouched
    with db._raw_engine(s.governance_db_uri).connect() as conn:
        assert len(conn.execute(sa.select(schema.audit_events.c.seq)).all()) == n_events

    # the CLI says so; upgrading again gives every ticket and item its case back, as before
    monkeypatch.setenv("JUTONG_HOME", str(s.home))
    monkeypatch.setenv("JUTONG_GOVERNANCE_DB_URI", s.governance_db_uri)
    reset_settings_cache()
    assert main(["governance", "downgrade", "0007"]) == 1  # already there
    assert "'0007' is not an earlier one" in capsys.readouterr().err
    db.upgrade(s)
    after = {c.ref: (c.state, [k.due_on for k in clocks_of(s, c.ref)]) for c in list_cases(s)}
    assert after == before
    assert get_case(s, share.ref).kind == "share_request"
    with pytest.raises(CaseError):
        get_case(s, "T-000009")
    assert len(list(events(s, action="cases.backfill"))) == 2 and verify(s).ok

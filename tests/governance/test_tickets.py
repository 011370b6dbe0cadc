"""Correction tickets (GX-Reg art. 18): open, idempotence, deadlines, extension, resolution."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import ticket_events
from jutong.governance.tickets import (
    TicketError,
    demo_summary,
    extend_ticket,
    get_ticket,
    list_tickets,
    open_ticket,
    open_tickets,
    parse_id,
    resolve_ticket,
    ticket_history,
)

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _open(settings, ref="batch:gongan.huji:b1", *, at=None, dept="gongan", kind="blocked_batch"):
    return open_ticket(
        settings,
        department=dept,
        kind=kind,
        subject=f"{ref} blocked by the quality gate",
        details={"failed": ["sfzh_valid"]},
        source_ref=ref,
        opened_at=at or dt.datetime(2025, 9, 30, 2, 0),  # 10:00 Beijing
    )


def test_open_computes_deadline_across_national_day(settings):
    t = _open(settings)
    assert t.id == "T-000001"
    assert t.status == "open" and t.department == "gongan" and t.kind == "blocked_batch"
    assert t.details == {"failed": ["sfzh_valid"]}
    # Received Tue 2025-09-30 (not counted); Oct 1–8 off; Oct 9, 10, Sat 11 (make-up), 13, 14.
    assert t.received_on == D(2025, 9, 30)
    assert t.due_on == t.original_due_on == D(2025, 10, 14)
    assert get_ticket(settings, "t-1") == t
    assert get_ticket(settings, 1) == t


def test_receipt_day_is_the_beijing_day(settings):
    # 2025-01-23 17:00 UTC is 2025-01-24 01:00 in Beijing (Fri): Sun 26 make-up = 1, Mon 27 = 2,
    # Jan 28 – Feb 4 off, Feb 5, 6, 7 = 3..5.
    t = _open(settings, at=dt.datetime(2025, 1, 23, 17, 0))
    assert t.received_on == D(2025, 1, 24)
    assert t.due_on == D(2025, 2, 7)
    aware = _open(settings, "ref-aware", at=dt.datetime(2025, 1, 24, 1, 0, tzinfo=dt.UTC))
    assert aware.opened_at == dt.datetime(2025, 1, 24, 1, 0)  # stored as naive UTC


def test_same_source_ref_is_idempotent(settings):
    a = _open(settings)
    b = _open(settings, at=dt.datetime(2025, 10, 20, 2, 0))
    assert b == a
    with engine(settings).connect() as conn:
        n_events = conn.execute(sa.select(sa.func.count()).select_from(ticket_events))
        assert n_events.scalar_one() == 1
    assert len(list_tickets(settings)) == 1


def test_unknown_department_and_bad_fields_are_refused(settings):
    with pytest.raises(TicketError, match=r"department: 'jiaotong' is not in catalog/departments"):
        _open(settings, dept="jiaotong")
    with pytest.raises(TicketError, match=r"kind: 'typo' is not one of"):
        _open(settings, kind="typo")
    with pytest.raises(TicketError, match="source_ref: must not be empty"):
        _open(settings, ref=" ")
    assert list_tickets(settings) == []


def test_open_many_in_one_transaction(settings):
    specs = [
        {
            "department": ("gongan", "minzheng", "shichang")[i % 3],
            "kind": "conflict",
            "subject": f"population.name conflict group {i}",
            "details": {"group": i},
            "source_ref": f"conflict:population:name:{i}",
            "opened_at": dt.datetime(2026, 2, 12, 1, 0),
        }
        for i in range(2000)
    ]
    specs.append(dict(specs[0]))  # a repeat within the batch returns the same ticket
    statements: list[str] = []
    commits: list[int] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def commit(conn):
        commits.append(1)

    eng = engine(settings)
    sa.event.listen(eng, "before_cursor_execute", count)
    sa.event.listen(eng, "commit", commit)
    try:
        tickets = open_tickets(settings, specs)
    finally:
        sa.event.remove(eng, "before_cursor_execute", count)
        sa.event.remove(eng, "commit", commit)
    assert len(tickets) == 2001 and tickets[-1] == tickets[0]
    assert len({t.id for t in tickets}) == 2000
    assert [t.details["group"] for t in tickets[:3]] == [0, 1, 2]
    # Received Thu 2026-02-12: Fri 13, Sat 14 (make-up), Feb 15–23 off, 24, 25, 26.
    assert {t.due_on for t in tickets} == {D(2026, 2, 26)}
    # one transaction; on a server, batched rather than one round trip per ticket (an
    # executemany counts once; SQLite runs in-process). Timings: bench/quality_cases.py
    assert len(commits) == 1
    if eng.dialect.name == "postgresql":
        assert len(statements) < 60, f"{len(statements)} statements for 2000 tickets"
    # again: all exist, nothing new
    again = open_tickets(settings, specs[:10])
    assert [t.id for t in again] == [t.id for t in tickets[:10]]
    assert len(list_tickets(settings)) == 2000


def test_open_many_is_all_or_nothing(settings):
    specs = [
        {"department": "gongan", "kind": "conflict", "subject": "ok", "source_ref": "a"},
        {"department": "nobody", "kind": "conflict", "subject": "bad", "source_ref": "b"},
    ]
    with pytest.raises(TicketError, match=r"ticket 2 \('b'\): department: 'nobody'"):
        open_tickets(settings, specs)
    assert list_tickets(settings) == []


def test_extension_once_up_to_five_days(settings):
    t = _open(settings)  # due 2025-10-14 (Tue)
    with pytest.raises(TicketError, match="1 to 5 working days"):
        extend_ticket(settings, t.id, days=6, approved_by="厅长", reason="more checks")
    with pytest.raises(TicketError, match="1 to 5 working days"):
        extend_ticket(settings, t.id, days=0, approved_by="厅长", reason="more checks")
    with pytest.raises(TicketError, match="approved_by: must not be empty"):
        extend_ticket(settings, t.id, days=3, approved_by="", reason="more checks")
    e = extend_ticket(settings, t.id, days=5, approved_by="张厅长", reason="需核查原始档案")
    # From Tue 10-14: Wed 15, Thu 16, Fri 17, Mon 20, Tue 21.
    assert e.due_on == D(2025, 10, 21) and e.original_due_on == D(2025, 10, 14)
    assert e.extension_days == 5 and e.extension_approved_by == "张厅长"
    with pytest.raises(TicketError, match="already extended once"):
        extend_ticket(settings, t.id, days=1, approved_by="张厅长", reason="again")


def test_extension_beyond_the_calendar_is_provisional(settings):
    # Received Mon 2026-12-21 (Beijing): due Mon 12-28; +5 reaches into 2027 (no data yet):
    # Dec 29, 30, 31, (Jan 1 元旦 and the weekend off), Jan 4, 5.
    t = _open(settings, at=dt.datetime(2026, 12, 21, 2, 0))
    assert t.due_on == D(2026, 12, 28) and not t.due_provisional
    e = extend_ticket(settings, t.id, days=5, approved_by="张厅长", reason="x")
    assert e.due_on == D(2027, 1, 5) and e.due_provisional and "provisional" in e.due_note
    assert e.original_due_on == D(2026, 12, 28)


def test_deadline_beyond_the_calendar_is_provisional_not_refused(settings):
    # Received Mon 2026-12-28: Dec 29, 30, 31, then 2027 (no arrangement yet): Jan 1 is a
    # fixed-date holiday, Jan 2-3 a weekend -> Jan 4, Jan 5.
    t = _open(settings, at=dt.datetime(2026, 12, 28, 2, 0))
    assert t.due_on == D(2027, 1, 5) and t.original_due_on == D(2027, 1, 5)
    assert t.due_provisional and "2026-12-31" in t.due_note and "provisional" in t.due_note
    assert t.is_overdue(D(2027, 1, 6)) and not t.is_overdue(D(2027, 1, 5))
    e = extend_ticket(settings, t.id, days=1, approved_by="张厅长", reason="x")
    assert e.due_on == D(2027, 1, 6) and e.due_provisional


def test_provisional_deadlines_are_recomputed_and_audited_when_the_year_is_entered(settings):
    """The bureau enters the 2027 arrangement (here: a made-up one with Jan 4 off and a
    make-up Saturday Jan 9): the open provisional deadline becomes final, audited."""
    import yaml

    from jutong.governance.audit import events
    from jutong.governance.deadlines import provisional_count, recompute_provisional

    t = _open(settings, at=dt.datetime(2026, 12, 28, 2, 0))
    done = _open(settings, "other", at=dt.datetime(2026, 12, 28, 2, 0))
    resolve_ticket(settings, done.id, note="fixed", resolved_by="李工")
    assert recompute_provisional(settings) == []  # nothing new known: unchanged, no event
    assert provisional_count(settings) == 1
    path = settings.catalog_dir / "jurisdiction.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["calendar"] = {
        "extra_holidays": ["2027-01-01", "2027-01-04"],
        "extra_workdays": ["2027-01-09"],
        "covered_through": "2027-12-31",
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    [r] = recompute_provisional(settings, actor="王科长")
    assert (r.subject, r.was, r.now, r.provisional) == (t.id, D(2027, 1, 5), D(2027, 1, 6), False)
    got = get_ticket(settings, t.id)
    assert got.due_on == D(2027, 1, 6) and not got.due_provisional and got.due_note is None
    assert get_ticket(settings, done.id).due_provisional  # resolved: left as it was
    assert provisional_count(settings) == 0
    [ev] = list(events(settings, action="deadline.recompute"))
    assert ev.subject == t.id and ev.actor == "王科长"
    assert ev.data["from"] == "2027-01-05" and ev.data["to"] == "2027-01-06"
    assert recompute_provisional(settings) == []  # idempotent


def test_ticket_changes_are_audit_events(settings):
    from jutong.governance.audit import events, verify

    t = _open(settings)
    extend_ticket(settings, t.id, days=2, approved_by="张厅长", reason="需核查原始档案")
    resolve_ticket(settings, t.id, note="已更正", resolved_by="李工")
    evs = [e for e in events(settings) if e.subject == t.id]
    assert [e.action for e in evs] == ["ticket.open", "ticket.extend", "ticket.resolve"]
    assert evs[1].actor == "张厅长" and evs[1].data["basis"] == "GX-Reg art. 18"
    assert verify(settings).ok


def test_resolve_records_who_and_what(settings):
    t = _open(settings)
    r = resolve_ticket(settings, t.id, note="重新导出，补齐身份证号", resolved_by="李工")
    assert r.status == "resolved" and r.resolved_by == "李工"
    assert r.resolution_note == "重新导出，补齐身份证号" and r.resolved_at is not None
    with pytest.raises(TicketError, match="already resolved by 李工"):
        resolve_ticket(settings, t.id, note="again", resolved_by="王工")
    with pytest.raises(TicketError, match="already resolved"):
        extend_ticket(settings, t.id, days=1, approved_by="张厅长", reason="late")
    with pytest.raises(TicketError, match="note: must not be empty"):
        resolve_ticket(settings, _open(settings, "other").id, note="  ", resolved_by="王工")
    history = ticket_history(settings, t.id)
    assert [(e.event, e.by) for e in history] == [("open", "jutong"), ("resolve", "李工")]


def test_history_of_extend(settings):
    t = _open(settings)
    extend_ticket(settings, t.id, days=2, approved_by="张厅长", reason="档案调取")
    resolve_ticket(settings, t.id, note="fixed", resolved_by="李工")
    h = ticket_history(settings, t.id)
    assert [e.event for e in h] == ["open", "extend", "resolve"]
    assert h[1].data == {"days": 2, "from": "2025-10-14", "to": "2025-10-16"}
    assert h[1].by == "张厅长" and h[1].note == "档案调取"


def test_unknown_ids(settings):
    with pytest.raises(TicketError, match="T-000042: no such ticket"):
        get_ticket(settings, "T-000042")
    with pytest.raises(TicketError, match="not a ticket id"):
        resolve_ticket(settings, "ticket-one", note="x", resolved_by="y")
    with pytest.raises(TicketError, match="not a ticket id"):
        parse_id("T-0")
    assert parse_id("T000123") == 123


def test_list_overdue_department_status(settings):
    a = _open(settings, "a")  # due 2025-10-14
    b = _open(settings, "b", dept="minzheng", at=dt.datetime(2025, 10, 13, 2, 0))  # due 10-20
    c = _open(settings, "c", kind="conflict")
    resolve_ticket(settings, c.id, note="merged", resolved_by="李工")
    assert [t.id for t in list_tickets(settings, overdue=True, as_of=D(2025, 10, 14))] == []
    assert [t.id for t in list_tickets(settings, overdue=True, as_of=D(2025, 10, 15))] == [a.id]
    assert [t.id for t in list_tickets(settings, overdue=True, as_of=D(2025, 10, 21))] == [
        a.id,
        b.id,
    ]
    assert [t.id for t in list_tickets(settings, department="minzheng")] == [b.id]
    assert [t.id for t in list_tickets(settings, status="open")] == [a.id, b.id]
    assert [t.id for t in list_tickets(settings, status="resolved")] == [c.id]
    assert a.is_overdue(D(2025, 10, 15)) and not a.is_overdue(D(2025, 10, 14))
    with pytest.raises(TicketError, match="status: 'closed'"):
        list_tickets(settings, status="closed")


def test_demo_summary(settings):
    assert demo_summary(settings, as_of=D(2025, 10, 15)) == [
        "Correction tickets (GX-Reg art. 18): none open."
    ]
    _open(settings, "a")
    _open(settings, "b", kind="conflict")
    _open(settings, "c", dept="shichang", at=dt.datetime(2025, 10, 13, 2, 0))
    lines = demo_summary(settings, as_of=D(2025, 10, 15))
    text = "\n".join(lines)
    assert "GX-Reg art. 18" in lines[0]
    gongan = next(line for line in lines if line.startswith("gongan"))
    assert "自治区公安厅" in gongan and "2025-10-14" in gongan
    assert "blocked_batch 1, conflict 1" in gongan
    assert gongan.split()[2:4] == ["2", "2"]  # open 2, overdue 2
    shichang = next(line for line in lines if line.startswith("shichang"))
    assert shichang.split()[2:5] == ["1", "0", "2025-10-20"]
    assert "jutong tickets list" in text

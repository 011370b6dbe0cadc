"""``jutong tickets``, registered on a throwaway parser (``jutong.cli`` wires the same)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest

from jutong.governance import tickets_cli
from jutong.governance.db import dispose_all
from jutong.governance.tickets import get_ticket, list_tickets, open_ticket, ticket_history


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="jutong")
    tickets_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tickets", *argv])
    rc = args.func(args)
    out, err = capsys.readouterr()
    return rc, out, err


def _seed(settings):
    a = open_ticket(
        settings,
        department="gongan",
        kind="blocked_batch",
        subject="gongan.huji batch 20250930-01 blocked: 12% invalid 公民身份号码",
        source_ref="batch:gongan.huji:20250930-01",
        opened_at=dt.datetime(2025, 9, 30, 2, 0),  # due 2025-10-14
    )
    b = open_ticket(
        settings,
        department="shichang",
        kind="conflict",
        subject="legal_entity.address differs from ziranziyuan",
        source_ref="conflict:legal_entity:address:1",
        opened_at=dt.datetime(2025, 10, 13, 2, 0),  # due 2025-10-20
    )
    return a, b


def test_list_open_and_overdue(settings, capsys):
    a, b = _seed(settings)
    rc, out, _ = run(capsys, "list", "--as-of", "2025-10-15")
    assert rc == 0
    assert a.id in out and b.id in out and "自治区" not in out
    assert "OVERDUE 逾期 1d" in out and "2025-10-14" in out
    rc, out, _ = run(capsys, "list", "--overdue", "--as-of", "2025-10-15")
    assert rc == 0 and a.id in out and b.id not in out
    rc, out, _ = run(capsys, "list", "--department", "shichang", "--json")
    data = json.loads(out)
    assert [d["id"] for d in data] == [b.id] and data[0]["due_on"] == "2025-10-20"


def test_resolve_and_all(settings, capsys):
    a, b = _seed(settings)
    rc, out, _ = run(capsys, "resolve", a.id, "--note", "重新导出", "--by", "李工")
    assert rc == 0 and f"{a.id} resolved by 李工" in out
    rc, out, _ = run(capsys, "list", "--as-of", "2025-10-15")
    assert a.id not in out and b.id in out
    rc, out, _ = run(capsys, "list", "--all", "--as-of", "2025-10-15")
    assert a.id in out and "resolved" in out
    rc, out, err = run(capsys, "resolve", a.id, "--note", "again")
    assert rc == 1 and out == ""
    assert err.startswith("jutong tickets: ") and "already resolved by 李工" in err
    assert err.count("\n") == 1


def test_resolve_defaults_to_os_user(settings, capsys, monkeypatch):
    a, _ = _seed(settings)
    monkeypatch.setenv("LOGNAME", "quality-owner")
    monkeypatch.setenv("USER", "quality-owner")
    rc, _, _ = run(capsys, "resolve", a.id, "--note", "ok")
    assert rc == 0 and get_ticket(settings, a.id).resolved_by == "quality-owner"


def test_extend(settings, capsys):
    a, _ = _seed(settings)
    argv = ["extend", a.id, "--days", "3", "--approved-by", "张厅长", "--reason", "调档"]
    rc, out, _ = run(capsys, *argv)
    assert rc == 0 and "now due 2025-10-17" in out  # 10-14 + Wed 15, Thu 16, Fri 17
    rc, _, err = run(capsys, *argv)
    assert rc == 1 and "already extended once" in err
    rc, _, err = run(
        capsys, "extend", "T-000099", "--days", "1", "--approved-by", "x", "--reason", "y"
    )
    assert rc == 1 and "T-000099: no such ticket" in err


def test_report_error_opens_ticket_for_the_provider(settings, capsys):
    argv = ["report-error", "minzheng.hunyin", "--note", "登记日期早于出生日期", "--row", "17"]
    rc, out, _ = run(capsys, *argv, "--by", "市民12345")
    assert rc == 0 and "opened for minzheng (自治区民政厅)" in out
    (t,) = list_tickets(settings)
    assert t.kind == "reported_error" and t.department == "minzheng"
    assert t.details == {
        "dataset": "minzheng.hunyin",
        "row": 17,
        "note": "登记日期早于出生日期",
        "reported_by": "市民12345",
    }
    assert ticket_history(settings, t.id)[0].by == "市民12345"
    # the same report again does not open a second ticket
    rc, out, _ = run(capsys, *argv, "--by", "市民12345")
    assert rc == 0 and t.id in out and len(list_tickets(settings)) == 1
    rc, _, err = run(capsys, "report-error", "nosuch.dataset", "--note", "x")
    assert rc == 1 and "no catalog entry 'nosuch.dataset'" in err


def test_bad_as_of(settings, capsys):
    rc, _, err = run(capsys, "list", "--as-of", "15.10.2025")
    assert rc == 1 and "--as-of: '15.10.2025' is not a date" in err


def test_empty_list(settings, capsys):
    rc, out, _ = run(capsys, "list", "--overdue")
    assert rc == 0 and out.startswith("No overdue correction tickets")

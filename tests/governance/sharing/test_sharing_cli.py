"""A share request scripted through the CLI as requester, bureau and provider, on dates across
the 2026 National Day holiday (GX-Dispatch art. 29), with the audit verified at the end."""

from __future__ import annotations

import json

import pytest

from jutong.cli import main
from jutong.governance.db import dispose_all

REQ = "李科员:requester_staff@minzheng"
BUREAU = "王审核:bureau_reviewer@dashuju"
PROV = "张警官:provider_staff@gongan"


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scripted_share_request(settings, capsys):
    code, out, err = run(
        capsys,
        "share",
        "request",
        "gongan.huji",
        "--items",
        "姓名,公民身份号码",
        "--purpose",
        "低保资格核查",
        "--as",
        REQ,
        "--at",
        "2026-09-29T10:00",
    )
    assert code == 0, err
    assert "SR-000001: submitted (region flow)" in out and "2026-10-08" in out

    code, out, err = run(
        capsys, "share", "review", "SR-000001", "pass", "--as", BUREAU, "--at", "2026-10-08"
    )
    assert code == 0, err
    assert "pass -> provider_review" in out and "2026-10-14" in out

    # the requester cannot decide for the provider: one line, exit 1, audited
    code, out, err = run(capsys, "share", "decide", "SR-000001", "approve", "--as", REQ)
    assert code == 1 and err.startswith("jutong share: permission denied") and err.count("\n") == 1

    code, out, err = run(capsys, "share", "decide", "SR-000001", "refuse", "--as", PROV)
    assert code == 1 and "legal basis" in err

    code, out, err = run(
        capsys, "share", "decide", "SR-000001", "approve", "--as", PROV, "--at", "2026-10-12"
    )
    assert code == 0 and "approve -> approved" in out

    code, out, _ = run(capsys, "cases", "overdue", "--as-of", "2026-10-15")
    assert "SR-000001" in out and "OVERDUE" in out and "dashuju" in out  # push was due 10-14

    code, out, _ = run(capsys, "share", "show", "SR-000001", "--json")
    doc = json.loads(out)
    assert doc["state"] == "approved" and doc["data"]["items"] == ["name", "id_number"]
    assert [c["due_on"] for c in doc["clocks"]] == ["2026-10-08", "2026-10-14", "2026-10-14"]
    assert [h["action"] for h in doc["history"]] == [
        "share_request.open",
        "share_request.pass",
        "access.denied",
        "share_request.approve",
    ]

    code, out, _ = run(capsys, "share", "list", "--department", "gongan")
    assert "SR-000001" in out and "approved" in out
    code, out, _ = run(capsys, "cases", "rules", "--flow", "region")
    assert "GX-Dispatch art. 29(3)" in out and "legal basis" in out

    code, out, err = run(capsys, "audit", "verify")
    assert code == 0 and "audit chain intact" in out


def test_bad_actor_and_date_are_one_line(settings, capsys):
    code, _, err = run(
        capsys,
        "share",
        "request",
        "gongan.huji",
        "--items",
        "姓名",
        "--purpose",
        "x",
        "--as",
        "nobody",
    )
    assert code == 1 and "USER:ROLE@DEPARTMENT" in err and err.count("\n") == 1
    code, _, err = run(
        capsys,
        "share",
        "request",
        "gongan.huji",
        "--items",
        "姓名",
        "--purpose",
        "x",
        "--as",
        REQ,
        "--at",
        "next week",
    )
    assert code == 1 and "--at" in err
    code, _, err = run(capsys, "share", "show", "SR-999999")
    assert code == 1 and "no such case" in err

"""``jutong open …`` scripted as a citizen, the information centre, a provider, the bureau and
open-data staff: a 特急 request across a weekend, the agreement, an API key checked and revoked,
a rating, a complaint suspending the release, a data-offline notice."""

from __future__ import annotations

import json

from jutong.cli import main
from jutong.governance import releases

from .conftest import PARCEL_RELEASE

PUB = "张三:public@zhangsan"
CENTRE = "刘审查:bureau_reviewer@xinxi"
PROV = "陈科长:provider_staff@ziranziyuan"
BUREAU = "王审批:bureau_reviewer@dashuju"
STAFF = "赵开放:open_data_staff@dashuju"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scripted_most_urgent_request_and_complaint(settings, parcel_release, capsys):
    code, out, err = run(
        capsys, "open", "account", "register", "zhangsan", "--kind", "person", "--name", "张三"
    )
    assert code == 0 and "account zhangsan: person 张三" in out, err
    code, out, err = run(
        capsys,
        "open",
        "request",
        "ziranziyuan.zongdi",
        "--items",
        "宗地代码,土地用途",
        "--purpose",
        "应急测绘",
        "--until",
        "2027-03-31",
        "--urgency",
        "特急",
        "--as",
        PUB,
        "--at",
        "2026-11-27T20:00",
    )
    assert code == 0, err
    assert "OR-000001: submitted" in out and "due 2026-11-28 08:00 Beijing" in out

    code, out, err = run(capsys, "open", "review", "OR-000001", "pass", "--as", PROV)
    assert code == 1 and err.startswith("jutong open: permission denied") and err.count("\n") == 1
    code, out, err = run(
        capsys, "open", "review", "OR-000001", "pass", "--as", CENTRE, "--at", "2026-11-28T07:00"
    )
    assert code == 0 and "provider_review" in out and "2026-11-30" in out, err
    code, out, err = run(capsys, "open", "answer", "OR-000001", "refuse", "--as", PROV)
    assert code == 1 and "legal basis" in err
    for argv in (
        ("answer", "OR-000001", "approve", "--as", PROV, "--at", "2026-11-30T10:00"),
        ("approve", "OR-000001", "approve", "--as", BUREAU, "--at", "2026-12-01T10:00"),
        ("agree", "OR-000001", "--version", "data_use_v1", "--as", PUB, "--at", "2026-12-01T11:00"),
    ):
        code, out, err = run(capsys, "open", *argv)
        assert code == 0, (argv, err)
    code, out, err = run(
        capsys,
        "open",
        "deliver",
        "OR-000001",
        "--method",
        "api",
        "--release",
        PARCEL_RELEASE,
        "--as",
        PROV,
        "--at",
        "2026-12-01T14:00",
        "--json",
    )
    assert code == 0, err
    token = json.loads(out)["api_key"]
    code, out, _ = run(
        capsys, "open", "key", "check", token, "--dataset", PARCEL_RELEASE, "--at", "2026-12-02"
    )
    assert code == 0 and out.startswith("200 ok")

    code, out, err = run(
        capsys,
        "open",
        "rate",
        "OR-000001",
        "--conformity",
        "5",
        "--completeness",
        "4",
        "--accuracy",
        "5",
        "--consistency",
        "4",
        "--timeliness",
        "5",
        "--usability",
        "4",
        "--as",
        PUB,
        "--at",
        "2026-12-02T09:00",
    )
    assert code == 0 and "规范性 5" in out, err

    # anyone files a complaint: the release is suspended at once, the key answers 451
    code, out, err = run(
        capsys,
        "open",
        "complaint",
        "file",
        PARCEL_RELEASE,
        "--grounds",
        "privacy",
        "--evidence",
        "含有权利人姓名",
        "--as",
        PUB,
        "--at",
        "2026-12-02T10:00",
    )
    assert code == 0 and "suspended" in out and "CP-000002: suspended" in out, err
    assert releases.status(settings, PARCEL_RELEASE) is releases.Status.suspended
    code, out, _ = run(capsys, "open", "key", "check", token, "--at", "2026-12-02T11:00")
    assert code == 1 and out.startswith("451 ") and "CP-000002" in out

    code, out, err = run(
        capsys,
        "open",
        "complaint",
        "verify",
        "CP-000002",
        "--reason",
        "不属实",
        "--as",
        STAFF,
        "--at",
        "2026-12-03",
    )
    assert code == 0, err
    code, out, err = run(
        capsys,
        "open",
        "complaint",
        "restore",
        "CP-000002",
        "--reason",
        "不属实",
        "--as",
        STAFF,
        "--at",
        "2026-12-03T11:00",
    )
    assert code == 0 and "restored" in out, err

    code, out, _ = run(capsys, "open", "key", "list", "OR-000001", "--json")
    (key,) = json.loads(out)
    code, out, err = run(
        capsys, "open", "key", "revoke", key["key_id"], "--reason", "不再使用", "--as", PUB
    )
    assert code == 0, err
    code, out, _ = run(capsys, "open", "key", "check", token)
    assert code == 1 and out.startswith("403 ") and "不再使用" in out

    code, out, _ = run(capsys, "open", "list", "--all", "--as", PUB)
    assert "OR-000001" in out and "CP-000002" in out
    code, out, _ = run(capsys, "open", "show", "OR-000001", "--json")
    doc = json.loads(out)
    assert doc["data"]["urgency"] == "most_urgent"
    assert doc["clocks"][0]["due_at"] == "2026-11-28T00:00:00"
    code, out, _ = run(capsys, "evaluate", "departments", "--as-of", "2026-12-03", "--json")
    z = next(d for d in json.loads(out) if d["department"] == "ziranziyuan")
    assert z["ratings"] == 1 and z["rating_mean"] == 4.5


def test_offline_notice_listed(settings, capsys):
    prov = "孙:provider_staff@shichang"
    code, out, err = run(
        capsys,
        "open",
        "catalog",
        "catalog-offline",
        "shichang.qiye",
        "--reason",
        "职能划转",
        "--as",
        prov,
        "--at",
        "2026-11-02",
    )
    assert code == 0 and "CO-000001: submitted" in out, err
    code, out, err = run(
        capsys,
        "open",
        "catalog",
        "step",
        "CO-000001",
        "approve",
        "--as",
        BUREAU,
        "--at",
        "2026-11-03",
    )
    assert code == 0 and "notice" in out, err
    code, out, _ = run(capsys, "open", "notices", "--as-of", "2026-11-20")
    assert "待下线目录公示" in out and "2026-12-03" in out and "GX-Dispatch art. 22" in out
    code, out, _ = run(capsys, "open", "notices", "--as-of", "2026-12-04")
    assert "No notices in force on 2026-12-04." in out
    code, out, err = run(
        capsys,
        "open",
        "catalog",
        "step",
        "CO-000001",
        "remove",
        "--as",
        prov,
        "--at",
        "2026-12-01",
    )
    assert code == 1 and "after the public notice" in err


def test_who_sees_which_opening_cases(settings, capsys):
    prov = "孙:provider_staff@shichang"
    code, out, err = run(
        capsys,
        "open",
        "catalog",
        "catalog-offline",
        "shichang.qiye",
        "--reason",
        "职能划转",
        "--as",
        prov,
    )
    assert code == 0, err
    code, out, _ = run(capsys, "open", "list", "--as", prov)
    assert code == 0 and "CO-000001" in out
    code, out, _ = run(capsys, "open", "list", "--as", PROV)  # another provider
    assert code == 0 and "No cases open." in out
    code, out, err = run(capsys, "open", "show", "CO-000001", "--as", PROV)
    assert code == 1 and "permission denied" in err
    code, out, err = run(capsys, "open", "list", "--as", "钱:analyst@dashuju")
    assert code == 1 and "no 'open.read' permission" in err
    code, out, _ = run(capsys, "open", "show", "CO-000001", "--as", STAFF)
    assert code == 0 and "GX-Dispatch art. 21(2)" in out
    # a share verb does not act on an opening case
    code, out, err = run(capsys, "share", "withdraw", "CO-000001", "--as", prov)
    assert code == 1 and "not a share_request" in err

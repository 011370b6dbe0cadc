"""The catalog's and the data's lifecycle (GX-Open art. 15; GX-Dispatch art. 21–22, 27, 39;
LZ-Rules art. 14, 20–21): deadlines chosen by the jurisdiction, notices with their periods,
coordination when the entry has subscribers, subscribers notified."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.model import CaseError
from jutong.governance.cases.queries import clocks_of, get_case
from jutong.governance.opening import keys, lifecycle
from jutong.governance.opening.agreements import accept
from jutong.governance.opening.deliveries import deliver
from jutong.governance.opening.notices import notices_in_force
from jutong.governance.opening.requests import act, request_open

from .conftest import BUREAU, CENTRE, PARCELS, PROV, PUB, at

D = dt.date
QIYE_PROV = parse_actor("孙:provider_staff@shichang")


def _jurisdiction(settings, **opening):
    path = Path(settings.catalog_dir) / "jurisdiction.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["opening"].update(opening)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _delivered(settings):
    case = request_open(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="研究",
        until=D(2027, 3, 31),
        at=at("2026-11-02"),
    )
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-11-02", 15))
    act(settings, case.ref, "approve", actor=PROV, at=at("2026-11-03"))
    act(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-03", 15))
    accept(settings, case.ref, actor=PUB, version="data_use_v1", at=at("2026-11-04"))
    return deliver(settings, case.ref, actor=PROV, method="api", at=at("2026-11-04"))


def test_catalog_update_deadline_by_jurisdiction(settings):
    case = lifecycle.report_change(
        settings,
        actor=QIYE_PROV,
        resource="shichang.qiye",
        change="《公司法》修订",
        changed_on=D(2026, 9, 25),
        at=at("2026-09-28"),
    )
    (clock,) = clocks_of(settings, case.ref)
    # default gx_open: 10 wd from the change (Fri 09-25): 09-28, 29, 30, 10-08, 09, 10, 12…15
    assert (clock.basis, clock.due_on) == ("GX-Open art. 15", D(2026, 10, 15))
    assert case.flow == "catalog_update_open" and case.data["deadline"].startswith("10 wd")
    _jurisdiction(settings, catalog_update="gx_dispatch")
    other = lifecycle.report_change(
        settings,
        actor=QIYE_PROV,
        resource="shichang.qiye",
        change="职能调整",
        changed_on=D(2026, 9, 25),
        at=at("2026-09-28"),
    )
    (clock,) = clocks_of(settings, other.ref)
    # GX-Dispatch art. 39: 15 wd: … 10-15, 16, 19, 20, 21, 22
    assert (clock.basis, clock.due_on) == ("GX-Dispatch art. 39", D(2026, 10, 22))
    done = lifecycle.decide(
        settings, other.ref, "update", actor=QIYE_PROV, reason="已更新目录", at=at("2026-10-20")
    )
    assert done.state == "updated" and clocks_of(settings, other.ref)[0].status == "met"
    with pytest.raises(CaseError, match="provider .* or the bureau"):
        lifecycle.report_change(settings, actor=PROV, resource="shichang.qiye", change="x")
    _jurisdiction(settings, catalog_update="gx_whatever")
    with pytest.raises(CaseError, match="catalog_update: 'gx_whatever'"):
        lifecycle.report_change(settings, actor=QIYE_PROV, resource="shichang.qiye", change="x")


def test_catalog_entry_offline_with_30_day_notice(settings):
    case = lifecycle.apply_catalog_offline(
        settings,
        actor=QIYE_PROV,
        resource="shichang.qiye",
        reason="职能划转",
        at=at("2026-11-02"),
    )
    assert case.state == "submitted"
    (clock,) = clocks_of(settings, case.ref)
    assert (clock.due_on, clock.basis) == (D(2026, 11, 5), "GX-Dispatch art. 21(2)")  # 3 wd
    lifecycle.decide(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-04"))
    (notice,) = notices_in_force(settings, D(2026, 11, 4))
    # GX-Dispatch art. 22: 30 days of notice before removal
    assert (notice.starts_on, notice.ends_on, notice.period, notice.basis) == (
        D(2026, 11, 4),
        D(2026, 12, 4),
        "30 days",
        "GX-Dispatch art. 22",
    )
    assert notices_in_force(settings, D(2026, 12, 4)) and not notices_in_force(
        settings, D(2026, 12, 5)
    )
    with pytest.raises(CaseError, match=r"only after the public notice .*\(until 2026-12-04\)"):
        lifecycle.decide(settings, case.ref, "remove", actor=QIYE_PROV, at=at("2026-12-04"))
    gone = lifecycle.decide(settings, case.ref, "remove", actor=QIYE_PROV, at=at("2026-12-05"))
    assert gone.state == "offline"
    assert lifecycle.offline_resources(settings) == {"shichang.qiye": case.ref}


def test_entry_with_subscribers_goes_to_coordination(accounts):
    settings = accounts
    _delivered(settings)
    case = lifecycle.apply_catalog_offline(
        settings, actor=PROV, resource=PARCELS, reason="职能调整", at=at("2026-11-05")
    )
    assert case.state == "coordination"
    assert case.data["subscribers"][0]["who"] == "zhangsan"
    with pytest.raises(CaseError, match="'remove' is not allowed"):
        lifecycle.decide(settings, case.ref, "remove", actor=PROV)
    kept = lifecycle.decide(settings, case.ref, "keep", actor=BUREAU, reason="仍有用户使用")
    assert kept.state == "kept" and not notices_in_force(settings, D(2026, 11, 6))


def test_data_offline_notice_30_working_days_and_subscribers_notified(accounts):
    settings = accounts
    token = _delivered(settings).token
    with pytest.raises(CaseError, match="at least 30 working days"):
        lifecycle.apply_data_offline(
            settings,
            actor=PROV,
            resource=PARCELS,
            reason="系统迁移",
            planned_on=D(2026, 12, 1),
            at=at("2026-11-05"),
        )
    case = lifecycle.apply_data_offline(
        settings,
        actor=PROV,
        resource=PARCELS,
        reason="系统迁移",
        planned_on=D(2026, 12, 31),
        at=at("2026-11-05"),
    )
    (clock,) = clocks_of(settings, case.ref)
    assert (clock.due_on, clock.basis) == (D(2026, 11, 12), "GX-Dispatch art. 27(2)")  # 5 wd
    lifecycle.decide(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-06"))
    (notice,) = notices_in_force(settings, D(2026, 11, 6))
    # 30 wd from Fri 11-06: the 30th working day is 12-18
    assert (notice.ends_on, notice.period) == (D(2026, 12, 18), "30 wd")
    notified = [e.data["subscriber"] for e in events(settings, action="data_offline.notify")]
    assert notified == ["zhangsan"]
    with pytest.raises(CaseError, match="after the public notice"):
        lifecycle.decide(settings, case.ref, "take_offline", actor=PROV, at=at("2026-12-18"))
    lifecycle.decide(settings, case.ref, "take_offline", actor=PROV, at=at("2026-12-21"))
    assert keys.check_key(settings, token, at=at("2026-12-21", 12)).status == 403


def test_liuzhou_data_offline_3_and_10_working_days(settings):
    _jurisdiction(settings, offline="liuzhou")
    with pytest.raises(CaseError, match="LZ-Rules art. 21"):
        lifecycle.apply_data_offline(
            settings, actor=QIYE_PROV, resource="shichang.qiye", reason="调整", at=at("2026-11-02")
        )
    case = lifecycle.apply_data_offline(
        settings,
        actor=QIYE_PROV,
        resource="shichang.qiye",
        reason="调整",
        basis="市政府办公室通知",
        at=at("2026-11-02"),
    )
    assert case.flow == "data_offline_liuzhou"
    (clock,) = clocks_of(settings, case.ref)
    assert (clock.due_on, clock.basis) == (D(2026, 11, 5), "LZ-Rules art. 21")
    lifecycle.decide(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-03"))
    (notice,) = notices_in_force(settings, D(2026, 11, 3))
    assert (notice.ends_on, notice.period, notice.basis) == (
        D(2026, 11, 17),
        "10 wd",
        "LZ-Rules art. 21(3)",
    )
    withdrawn = lifecycle.decide(settings, case.ref, "withdraw", actor=QIYE_PROV)
    assert withdrawn.state == "withdrawn" and not notices_in_force(settings, D(2026, 11, 4))
    assert get_case(settings, case.ref).closed


def test_entry_with_a_share_subscription_goes_to_coordination(settings):
    from jutong.governance.sharing.requests import request_share

    share = request_share(
        settings,
        actor=parse_actor("陈科员:requester_staff@renshe"),
        resource="shichang.qiye",  # 无条件共享: granted at once
        items=["统一社会信用代码"],
        purpose="参保单位登记核对",
        at=at("2026-11-02"),
    )
    assert share.state == "granted"
    case = lifecycle.apply_catalog_offline(
        settings, actor=QIYE_PROV, resource="shichang.qiye", reason="职能划转", at=at("2026-11-03")
    )
    assert case.state == "coordination"
    assert case.data["subscribers"] == [{"who": "renshe", "case_ref": share.ref, "how": "share"}]
    # the bureau may approve after coordination, with its reasons; the notice follows
    with pytest.raises(CaseError, match="reasons"):
        lifecycle.decide(settings, case.ref, "approve", actor=BUREAU)
    lifecycle.decide(settings, case.ref, "approve", actor=BUREAU, reason="已协调人社厅改用接口")
    assert get_case(settings, case.ref).state == "notice"


def test_provisional_notice_made_final_when_the_next_year_is_entered(settings):
    from jutong.governance.sla import sweep
    from jutong.workdays import WorkCalendar

    case = lifecycle.apply_data_offline(
        settings,
        actor=QIYE_PROV,
        resource="shichang.qiye",
        reason="系统迁移",
        planned_on=D(2027, 2, 26),
        at=at("2026-12-01"),
    )
    lifecycle.decide(settings, case.ref, "approve", actor=BUREAU, at=at("2026-12-02"))
    (notice,) = notices_in_force(settings, D(2026, 12, 2))
    # 30 wd from 12-02 run into 2027, which the statutory data does not cover yet
    assert notice.provisional and notice.ends_on == D(2027, 1, 14)  # 1 Jan off, weekends off
    # the bureau enters 2027: an extra holiday on 2027-01-04 moves the end by one working day
    path = Path(settings.catalog_dir) / "jurisdiction.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["calendar"] = {
        "extra_holidays": ["2027-01-01", "2027-01-04"],
        "extra_workdays": [],
        "covered_through": "2027-12-31",
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert WorkCalendar.from_catalog(settings).last == D(2027, 12, 31)
    res = sweep(settings, now=at("2026-12-03"), checkpoint=False)
    assert res.recomputed == 1
    (notice,) = notices_in_force(settings, D(2026, 12, 3))
    assert (notice.ends_on, notice.provisional) == (D(2027, 1, 15), False)
    assert get_case(settings, case.ref).data["notice_until"] == "2027-01-15"
    assert [e.data["to"] for e in events(settings, action="notice.recompute")] == ["2027-01-15"]

"""The demo's opening story: citizens and organisations ask for conditional-open data, sign the
agreement, get an API key and rate the data; a 特急 request waits past its 12 hours; a complaint
suspends a release, which is verified and restored; a catalog entry's offline notice is in
force. Then the cases, their next deadlines and the notices are printed. Run once per home.
"""

from __future__ import annotations

import datetime as dt

from jutong.governance import releases
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.queries import clocks_of, list_cases
from jutong.governance.cases.rules import Party
from jutong.governance.opening import complaints, lifecycle
from jutong.governance.opening.accounts import register_account
from jutong.governance.opening.agreements import accept, agreement_text
from jutong.governance.opening.deliveries import deliver
from jutong.governance.opening.notices import notices_in_force
from jutong.governance.opening.ratings import rate
from jutong.governance.opening.requests import act, request_open
from jutong.settings import Settings
from jutong.textable import render
from jutong.workdays import CHINA_TZ, WorkCalendar

KINDS = ("open_request", "complaint", "catalog_offline")
COMPLAINED = "qiye_registrations"


def _story(settings: Settings, calendar: WorkCalendar, now: dt.datetime) -> tuple[str, str]:
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    zhang = parse_actor("张三:public@zhangsan")
    geo = parse_actor("李经理:public@geo_company")
    centre = parse_actor("刘审查:bureau_reviewer@xinxi")
    bureau = parse_actor("王审批:bureau_reviewer@dashuju")
    parcels = parse_actor("陈科长:provider_staff@ziranziyuan")
    minzheng = parse_actor("刘科长:provider_staff@minzheng")
    staff = parse_actor("赵开放:open_data_staff@dashuju")
    register_account(settings, "zhangsan", kind="person", name="张三", at=now - 9 * day)
    register_account(
        settings,
        "geo_company",
        kind="organisation",
        name="广西某地理信息有限公司",
        uscc_code="91350100M000100Y43",
        at=now - 9 * day,
    )
    a = request_open(
        settings,
        actor=zhang,
        resource="ziranziyuan.zongdi",
        items=["宗地代码", "土地用途", "宗地面积（平方米）"],
        purpose="城市更新课题研究",
        until=(now + 180 * day).date(),
        urgency="urgent",
        at=now - 8 * day,
        calendar=calendar,
    ).ref
    for event, who, when in (
        ("pass", centre, now - 8 * day + 4 * hour),
        ("approve", parcels, now - 7 * day),
        ("approve", bureau, now - 6 * day),
    ):
        act(settings, a, event, actor=who, at=when, calendar=calendar)
    accept(
        settings,
        a,
        actor=zhang,
        version=agreement_text(settings).version,
        at=now - 5 * day,
        calendar=calendar,
    )
    token = deliver(
        settings, a, actor=parcels, method="api", at=now - 5 * day + 2 * hour, calendar=calendar
    ).token
    rate(
        settings,
        a,
        actor=zhang,
        scores={
            "conformity": 5,
            "completeness": 4,
            "accuracy": 5,
            "consistency": 4,
            "timeliness": 3,
            "usability": 5,
        },
        comment="接口稳定，更新稍慢",
        at=now - 2 * day,
    )
    request_open(  # nobody reviewed it within its 12 hours: overdue
        settings,
        actor=geo,
        resource="shenpi.xuke",
        items=["证照编号", "证照类型"],
        purpose="应急保供企业资质核验",
        until=(now + 30 * day).date(),
        urgency="most_urgent",
        at=now - 14 * hour,
        calendar=calendar,
    )
    if releases.status(settings, COMPLAINED) is releases.Status.published:
        cp = complaints.file_complaint(
            settings,
            actor=zhang,
            release_id=COMPLAINED,
            grounds="privacy",
            evidence="法定代表人姓名可与住所地址关联到个人",
            at=now - 3 * day,
            calendar=calendar,
        ).ref
        complaints.decide(
            settings,
            cp,
            "verify",
            actor=staff,
            reason="姓名已按规定脱敏（姓+*），公示范围内",
            at=now - 2 * day,
            calendar=calendar,
        )
        complaints.decide(
            settings,
            cp,
            "restore",
            actor=staff,
            reason="异议不成立，恢复开放",
            at=now - 2 * day + 2 * hour,
            calendar=calendar,
        )
    co = lifecycle.apply_catalog_offline(
        settings,
        actor=minzheng,
        resource="minzheng.hunyin",
        reason="婚姻登记职能调整，目录合并",
        at=now - 4 * day,
        calendar=calendar,
    ).ref
    lifecycle.decide(  # with reasons: needed when the entry had to go to coordination
        settings,
        co,
        "approve",
        actor=bureau,
        reason="已与使用部门协调，同意下线",
        at=now - 3 * day,
        calendar=calendar,
    )
    return a, token


def demo_summary(settings: Settings) -> list[str]:
    calendar = WorkCalendar.from_catalog(settings)
    now = dt.datetime.now(CHINA_TZ).replace(minute=0, second=0, microsecond=0)
    keyed = None
    if not any(list_cases(settings, kind=k) for k in KINDS):
        keyed = _story(settings, calendar, now)
    rows = []
    for kind in KINDS:
        for c in list_cases(settings, kind=kind):
            running = [k for k in clocks_of(settings, c.ref) if k.status in ("running", "paused")]
            nxt = "; ".join(
                f"{k.label} ({c.party_department(Party(k.party))}) "
                f"{k.shown(calendar, now.date(), now)}"
                for k in running
            )
            rows.append(
                (c.ref, c.requester, c.resource, c.data.get("urgency", ""), c.state, nxt or "—")
            )
    rows.sort()
    notices = notices_in_force(settings, now.date())
    lines = [
        "Opening to the public (GX-Open art. 20, 22; GX-Dispatch art. 21–22; jutong open list / "
        "show / notices):",
        *render(
            ["case", "requester", "resource", "urgency", "state", "next step (owed by)"], rows
        ).splitlines(),
        "Notices in force: "
        + ("; ".join(f"{n.title} until {n.ends_on} ({n.basis})" for n in notices) or "none"),
    ]
    if keyed:
        lines.append(f"Demo API key of {keyed[0]} (zhangsan): {keyed[1]} (jutong open key check …)")
    return lines

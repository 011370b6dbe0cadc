"""The demo's share story: requests between departments through the case engine.

A requester asks for population items and gets them (bureau passes, provider approves, the
bureau pushes the answer, the requester subscribes); a request is refused with its legal basis;
one waits past its deadline; an unconditional entry is granted at once; a department subscribes
to one of the bureau's theme marts (``catalog/shared/``). Then the cases, their
deadlines and the audit verification are printed. Run once per home (kept on reruns).
"""

from __future__ import annotations

import datetime as dt

from jutong.governance.audit import verify, write_checkpoint
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.engine import fire
from jutong.governance.cases.queries import clocks_of, list_cases
from jutong.governance.cases.rules import Party
from jutong.governance.sharing.requests import KIND, request_share
from jutong.settings import Settings
from jutong.textable import render
from jutong.workdays import CHINA_TZ, WorkCalendar


def _story(settings: Settings, calendar: WorkCalendar, now: dt.datetime) -> None:
    minzheng = parse_actor("李科员:requester_staff@minzheng")
    renshe = parse_actor("陈科员:requester_staff@renshe")
    shichang = parse_actor("周科员:requester_staff@shichang")
    bureau = parse_actor("王审核:bureau_reviewer@dashuju")
    gongan = parse_actor("张警官:provider_staff@gongan")
    minzheng_p = parse_actor("刘科长:provider_staff@minzheng")
    day = dt.timedelta(days=1)

    def ask(actor, resource, items, purpose, when):
        return request_share(
            settings,
            actor=actor,
            resource=resource,
            items=items,
            purpose=purpose,
            at=when,
            calendar=calendar,
        ).ref

    a = ask(
        minzheng,
        "gongan.huji",
        ["姓名", "公民身份号码", "户籍地址"],
        "最低生活保障资格核查（民政厅社会救助处）",
        now - 6 * day,
    )
    for event, who, when in (
        ("pass", bureau, now - 5 * day),
        ("approve", gongan, now - 4 * day),
        ("push", bureau, now - 3 * day),
        ("subscribe", minzheng, now - 2 * day),
    ):
        fire(settings, a, event, actor=who, at=when, calendar=calendar)

    b = ask(
        renshe,
        "minzheng.hunyin",
        ["男方姓名", "女方姓名", "登记日期"],
        "参保人员家庭关系核验",
        now - 5 * day,
    )
    fire(settings, b, "pass", actor=bureau, at=now - 4 * day, calendar=calendar)
    fire(
        settings,
        b,
        "refuse",
        actor=minzheng_p,
        at=now - 2 * day,
        calendar=calendar,
        basis="《婚姻登记条例》第十七条：婚姻登记档案按规定查阅，超出用途不予提供",
        reason="申请用途超出婚姻登记档案查阅范围",
    )
    fire(settings, b, "push", actor=bureau, at=now - 1 * day, calendar=calendar)

    ask(
        shichang, "gongan.huji", ["姓名", "公民身份号码"], "企业法定代表人身份核验", now - 12 * day
    )  # nobody reviewed it: overdue
    ask(
        renshe, "shichang.qiye", ["统一社会信用代码", "企业名称"], "参保单位登记核对", now - 1 * day
    )  # 无条件共享: granted at once
    # a theme mart of the bureau (GX-Reg art. 23): the bureau provides it, granted at once
    e = ask(
        minzheng,
        "theme.ss_insurance_coverage",
        ["区县代码", "年龄段", "性别代码", "险种", "参保人数"],
        "城乡低保对象参保扩面分析（民政厅社会救助处）",
        now - 1 * day,
    )
    fire(
        settings,
        e,
        "subscribe",
        actor=minzheng,
        at=now - 1 * day + dt.timedelta(hours=1),
        calendar=calendar,
    )


def demo_summary(settings: Settings) -> list[str]:
    calendar = WorkCalendar.from_catalog(settings)
    now = dt.datetime.now(CHINA_TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    if not list_cases(settings, kind=KIND):
        _story(settings, calendar, now)
    today = now.date()
    rows = []
    for c in list_cases(settings, kind=KIND):
        running = [k for k in clocks_of(settings, c.ref) if k.status in ("running", "paused")]
        nxt = "; ".join(
            f"{k.label} ({c.party_department(Party(k.party))}) "
            f"{clock_state(calendar, status=k.status, due_on=k.due_on, as_of=today)} "
            f"{k.due_on}{' 暂定' if k.provisional else ''}"
            for k in running
        )
        rows.append((c.ref, c.requester, c.resource, c.state, nxt or "—"))
    rep = verify(settings)
    cp = write_checkpoint(settings)
    return [
        "Share requests (GX-Dispatch art. 29; jutong share list / show / cases overdue):",
        *render(
            ["case", "requester", "resource", "state", "next step (owed by) due"], rows
        ).splitlines(),
        f"Audit chain: {'intact' if rep.ok else 'BROKEN'} — {rep.events:,} event(s); signed "
        f"checkpoint #{cp.seq} in {cp.path.parent} (jutong audit verify).",
    ]

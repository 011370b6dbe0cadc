"""The console's home for the browser tests and the README screenshots
(``docs/img/make_screenshots.py``): real users with passwords (``jutong.governance.users``),
share requests driven through the case engine (``request_share``, ``fire``) and a clerical
review pair (``sync_pending``, as tests/web/console/ prepares it) — on a governance database
that already records the portal's tiny releases (tests/web/conftest.py ``released``), so the
releases page has something to show. Made-up people and requests only, never real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jutong.base.review import list_items, sync_pending
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.rules import Role
from jutong.governance.sharing.requests import request_share
from jutong.governance.users import add_user, parse_grant
from jutong.settings import Settings
from jutong.workdays import CHINA_TZ

PASSWORD = "correct-horse-42"  # of every test user (a test home's, thrown away)

# login -> (display name, roles)
USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zhang": ("张警官 provider (公安)", ("provider_staff@gongan",)),
    "sun": ("孙质量 quality owner", ("quality_owner@dashuju",)),
    "wang": ("王审核 bureau reviewer", ("bureau_reviewer@dashuju",)),
    "liu": ("刘开放 open-data staff", ("open_data_staff@dashuju",)),
    "li": ("李科员 requester (民政)", ("requester_staff@minzheng",)),
}


@dataclass(frozen=True)
class ConsoleHome:
    for_gongan: str  # waiting on gongan's decision (zhang answers it)
    for_minzheng: str  # waiting on minzheng's decision (not gongan's to see)
    overdue: str  # nobody reviewed it: overdue on the bureau's board
    answered: str  # approved, pushed and subscribed (for the evaluation)
    review_item: int  # a pending clerical review pair


def prepare(settings: Settings, *, now: dt.datetime | None = None) -> ConsoleHome:
    """Users, cases and a review pair in the settings' governance database."""
    for login, (display, roles) in USERS.items():
        add_user(
            settings,
            login,
            by="test-admin",
            password=PASSWORD,
            display_name=display,
            grants=[parse_grant(r) for r in roles],
        )
    now = now or dt.datetime.now(CHINA_TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    day = dt.timedelta(days=1)
    minzheng = Actor("李科员", Role.requester_staff, "minzheng")
    shichang = Actor("周科员", Role.requester_staff, "shichang")
    renshe = Actor("陈科员", Role.requester_staff, "renshe")
    bureau = Actor("王审核", Role.bureau_reviewer, "dashuju")
    gongan = Actor("张警官", Role.provider_staff, "gongan")

    def ask(actor: Actor, resource: str, items: list[str], purpose: str, when) -> str:
        return request_share(
            settings, actor=actor, resource=resource, items=items, purpose=purpose, at=when
        ).ref

    answered = ask(minzheng, "gongan.huji", ["姓名", "户籍地址"], "低保资格核查", now - 9 * day)
    for event, who, when in (
        ("pass", bureau, now - 8 * day),
        ("approve", gongan, now - 7 * day),
        ("push", bureau, now - 6 * day),
        ("subscribe", minzheng, now - 5 * day),
    ):
        fire(settings, answered, event, actor=who, at=when)
    for_gongan = ask(
        minzheng, "gongan.huji", ["姓名", "公民身份号码"], "最低生活保障资格核查", now - day
    )
    fire(settings, for_gongan, "pass", actor=bureau, at=now - day + dt.timedelta(hours=2))
    for_minzheng = ask(
        renshe,
        "minzheng.hunyin",
        ["男方姓名", "女方姓名", "登记日期"],
        "参保人员家庭关系核验",
        now - day,
    )
    fire(settings, for_minzheng, "pass", actor=bureau, at=now - day + dt.timedelta(hours=3))
    overdue = ask(shichang, "gongan.huji", ["姓名"], "企业法定代表人身份核验", now - 12 * day)

    sync_pending(
        settings,
        "population",
        [
            {
                "mention_id": "g:abc",
                "entity_id": "P-1",
                "match_probability": 0.71,
                "details": {
                    "mention": {"name": "李四", "birth_date": "1990-01-02"},
                    "entity": {"name": "李 四", "birth_date": "1990-01-02"},
                    "mentions": ["m1", "m2"],
                },
            }
        ],
    )
    [item] = list_items(settings, status="pending")
    return ConsoleHome(for_gongan, for_minzheng, overdue, answered, item.id)

"""The catalog's and the data's lifecycle as cases: updates after a change of law or mandate,
catalog entries and data taken offline, with their public notices.

- ``report_change``: the catalog updated within 10 wd (GX-Open art. 15; LZ-Rules art. 14) or
  15 wd (GX-Dispatch art. 39) of the change — ``opening.catalog_update`` chooses, and the case
  cites the article; the deadline counts from the day the change took effect.
- ``apply_catalog_offline``: GX-Dispatch art. 21–22 (bureau replies in 3 wd; approved removal
  after a public notice of 30 days) or LZ-Rules art. 20. An entry with subscribers (share
  deliveries, subscriptions, opened data delivered) goes to coordination, not straight offline
  (LZ-Rules art. 20(2)–(3); GX-Dispatch art. 21(4)).
- ``apply_data_offline``: GX-Dispatch art. 27 (applied 30 wd or more ahead, reply in 5 wd,
  notice of 30 wd, subscribers notified) or LZ-Rules art. 21 (legal or policy basis given,
  approval in 3 wd, notice of 10 wd). Taking the data offline ends the deliveries of opened
  data (their keys are revoked).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jutong.catalog.loader import Catalog, load_catalog
from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire, open_case
from jutong.governance.cases.model import Case, CaseError, beijing_day, utc_naive
from jutong.governance.cases.opening_rules import CATALOG_UPDATE
from jutong.governance.cases.queries import get_case
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.governance.opening import keys, notices
from jutong.governance.opening.config import opening_settings
from jutong.governance.opening.subscribers import subscribers_in
from jutong.governance.schema import open_api_keys, open_deliveries
from jutong.settings import Settings
from jutong.workdays import CHINA_TZ, WorkCalendar

CATALOG_UPDATE_KIND = "catalog_update"
CATALOG_OFFLINE_KIND = "catalog_offline"
DATA_OFFLINE_KIND = "data_offline"
KINDS = (CATALOG_UPDATE_KIND, CATALOG_OFFLINE_KIND, DATA_OFFLINE_KIND)

CATALOG_NOTICE_DAYS = 30  # GX-Dispatch art. 22: 公示 30 天 (calendar days)
DATA_NOTICE = {"region": (30, "GX-Dispatch art. 27(3)"), "liuzhou": (10, "LZ-Rules art. 21(3)")}
DATA_APPLY_AHEAD_WORKING_DAYS = 30  # GX-Dispatch art. 27(1): 提前 30 个工作日以上


def _ctx(settings: Settings, catalog: Catalog | None, calendar: WorkCalendar | None):
    catalog = catalog or load_catalog(settings.catalog_dir)
    return catalog, calendar or WorkCalendar.from_catalog(catalog), opening_settings(catalog)


def _entry(catalog: Catalog, resource: str):
    try:
        return catalog.get(resource)
    except KeyError:
        raise CaseError(f"no catalog entry '{resource}'") from None


def _provider_staff(actor: Actor, entry) -> None:
    if actor.role is not Role.provider_staff or actor.department != entry.department:
        raise CaseError(
            f"{entry.id}: applied for by its provider's staff "
            f"(provider_staff@{entry.department}), not {actor}"
        )


def report_change(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    change: str,
    changed_on: dt.date | None = None,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """A change of law or mandate that touches a catalog entry: the provider must update the
    entry within the jurisdiction's deadline (counted from ``changed_on``, default today)."""
    catalog, calendar, conf = _ctx(settings, catalog, calendar)
    entry = _entry(catalog, resource)
    if actor.department not in (entry.department, conf.bureau) or actor.is_public:
        raise CaseError(
            f"{resource}: a change is reported by its provider ({entry.department}) or the bureau"
        )
    if not (change or "").strip():
        raise CaseError(f"{resource}: describe the change of law or mandate (--change)")
    now = utc_naive(at)
    if changed_on is not None:
        if changed_on > beijing_day(now):
            raise CaseError(f"{resource}: the change on {changed_on} is in the future")
        start = dt.datetime.combine(changed_on, dt.time(9), CHINA_TZ)
    else:
        start = now
    flow_name, days, basis = CATALOG_UPDATE[conf.catalog_update]
    with engine(settings).begin() as conn:
        return open_case(
            conn,
            kind=CATALOG_UPDATE_KIND,
            flow_name=flow_name,
            actor=actor,
            requester=conf.bureau,
            provider=entry.department,
            bureau=conf.bureau,
            resource=resource,
            title=f"目录更新 {entry.title}",
            data={
                "change": change.strip(),
                "changed_on": (changed_on or beijing_day(now)).isoformat(),
                "deadline": f"{days} wd ({basis})",
                "setting": f"opening.catalog_update: {conf.catalog_update}",
            },
            calendar=calendar,
            at=start,
            audit_data={"rule": basis},
        )


def apply_catalog_offline(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    reason: str,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """The provider applies to take a catalog entry offline; with subscribers the case goes
    to coordination."""
    catalog, calendar, conf = _ctx(settings, catalog, calendar)
    entry = _entry(catalog, resource)
    _provider_staff(actor, entry)
    if not (reason or "").strip():
        raise CaseError(f"{resource}: give the reason (职能变更、政策调整, GX-Dispatch art. 21)")
    flow_name = conf.catalog_offline_flow
    with engine(settings).begin() as conn:
        subs = subscribers_in(conn, resource)
        return open_case(
            conn,
            kind=CATALOG_OFFLINE_KIND,
            flow_name=flow_name,
            actor=actor,
            requester=entry.department,
            provider=entry.department,
            bureau=conf.bureau,
            resource=resource,
            title=f"目录下线 {entry.title}",
            data={
                "reason": reason.strip(),
                "subscribers": [s.__dict__ for s in subs],
            },
            calendar=calendar,
            at=at,
            state="coordination" if subs else None,
            audit_data={
                "subscribers": len(subs),
                "rule": "LZ-Rules art. 20 (coordination)" if subs else flow_name,
            },
        )


def apply_data_offline(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    reason: str,
    basis: str | None = None,
    planned_on: dt.date | None = None,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """The provider applies to take an entry's data offline (see the module doc)."""
    catalog, calendar, conf = _ctx(settings, catalog, calendar)
    entry = _entry(catalog, resource)
    _provider_staff(actor, entry)
    if not (reason or "").strip():
        raise CaseError(f"{resource}: give the reason for taking the data offline")
    now = utc_naive(at)
    today = beijing_day(now)
    data: dict = {"reason": reason.strip(), "legal_basis": (basis or "").strip() or None}
    if conf.offline == "liuzhou":
        if not data["legal_basis"]:
            raise CaseError(
                f"{resource}: give the legal or policy basis (--basis) (LZ-Rules art. 21(1))"
            )
    else:
        earliest = calendar.due(today, DATA_APPLY_AHEAD_WORKING_DAYS)
        if planned_on is None:
            raise CaseError(
                f"{resource}: give the planned offline day (--planned-on), at least "
                f"{DATA_APPLY_AHEAD_WORKING_DAYS} working days ahead ({earliest.label()} or "
                "later; GX-Dispatch art. 27(1))"
            )
        if planned_on < earliest.day:
            raise CaseError(
                f"{resource}: data goes offline at least {DATA_APPLY_AHEAD_WORKING_DAYS} working "
                f"days after the application: {planned_on} is too early (earliest "
                f"{earliest.label()}; GX-Dispatch art. 27(1))"
            )
        data["planned_on"] = planned_on.isoformat()
    with engine(settings).begin() as conn:
        data["subscribers"] = [s.__dict__ for s in subscribers_in(conn, resource)]
        return open_case(
            conn,
            kind=DATA_OFFLINE_KIND,
            flow_name=conf.data_offline_flow,
            actor=actor,
            requester=entry.department,
            provider=entry.department,
            bureau=conf.bureau,
            resource=resource,
            title=f"数据下线 {entry.title}",
            data=data,
            calendar=calendar,
            at=now,
        )


def _notify_subscribers(conn: sa.Connection, case: Case, actor: Actor, at, until) -> list[str]:
    subs = subscribers_in(conn, case.resource)
    audit.append_many(
        conn,
        [
            {
                "actor": actor.user,
                "role": actor.role.value,
                "department": actor.department,
                "action": f"{case.kind}.notify",
                "subject": case.ref,
                "at": at,
                "data": {
                    "subscriber": s.who,
                    "via": s.case_ref,
                    "offline_after": until,
                    "rule": "GX-Dispatch art. 27(3)",
                },
            }
            for s in subs
        ],
    )
    return sorted({s.who for s in subs})


def decide(
    settings: Settings,
    ref: str,
    event: str,
    *,
    actor: Actor,
    reason: str | None = None,
    basis: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
) -> Case:
    """A step of a lifecycle case: approve (publishes the notice; notifies subscribers of
    data going offline), reject, keep, withdraw (withdraws the notice), remove / take_offline
    (after the notice; ends opened-data deliveries), update, cancel."""
    case = get_case(settings, ref)
    if case.kind not in KINDS:
        raise CaseError(f"{case.ref}: is a {case.kind}, not a catalog or offline case")
    calendar = calendar or WorkCalendar.from_catalog(settings)
    when = utc_naive(at)
    data: dict | None = None
    effects = None
    if event == "approve" and case.kind in (CATALOG_OFFLINE_KIND, DATA_OFFLINE_KIND):
        if case.kind == CATALOG_OFFLINE_KIND:
            days, wdays, nbasis = CATALOG_NOTICE_DAYS, 0, "GX-Dispatch art. 22"
        else:
            offline = "liuzhou" if case.flow.endswith("liuzhou") else "region"
            days, (wdays, nbasis) = 0, DATA_NOTICE[offline]
        if case.flow != "catalog_offline_liuzhou":  # LZ-Rules art. 20 has no notice
            end, _prov, period = notices.period_end(
                calendar, beijing_day(when), days=days, working_days=wdays
            )
            data = {"notice_until": end.isoformat(), "notice_basis": nbasis}

            def effects(conn: sa.Connection, seq: int, c: Case) -> dict:
                what = "目录" if c.kind == CATALOG_OFFLINE_KIND else "数据资源"
                n = notices.publish_in(
                    conn,
                    kind=c.kind,
                    case_seq=seq,
                    resource=c.resource,
                    department=c.provider,
                    title=f"待下线{what}公示：{c.title}",
                    body=f"{c.data.get('reason', '')}（{nbasis}，公示期 {period}）",
                    basis=nbasis,
                    calendar=calendar,
                    at=when,
                    by=str(actor),
                    days=days,
                    working_days=wdays,
                )
                out = {"notice": n.id, "until": n.ends_on}
                if c.kind == DATA_OFFLINE_KIND:
                    out["notified"] = _notify_subscribers(conn, c, actor, when, n.ends_on)
                return out
    elif event == "withdraw":

        def effects(conn: sa.Connection, seq: int, c: Case) -> dict:
            return {"notices_withdrawn": notices.withdraw_in(conn, seq, at=when, by=str(actor))}
    elif event in ("take_offline", "remove"):

        def effects(conn: sa.Connection, seq: int, c: Case) -> dict:
            dids = [
                r[0]
                for r in conn.execute(
                    sa.select(open_deliveries.c.id)
                    .where(
                        open_deliveries.c.resource == c.resource,
                        open_deliveries.c.status == "active",
                    )
                    .order_by(open_deliveries.c.id)
                )
            ]
            conn.execute(
                open_deliveries.update()
                .where(open_deliveries.c.id.in_(dids))
                .values(status="revoked")
            )
            ids = keys.revoke_in(
                conn,
                open_api_keys.c.delivery_id.in_(dids),
                by=str(actor),
                reason=f"{c.resource} offline ({c.ref})",
                at=when,
            )
            return {"deliveries_ended": dids, "keys_revoked": ids}

    return fire(
        settings,
        case.ref,
        event,
        actor=actor,
        reason=reason,
        basis=basis,
        data=data,
        at=when,
        calendar=calendar,
        effects=effects,
        expected_version=expected_version,
    )


def offline_resources(settings: Settings) -> dict[str, str]:
    """Catalog entries taken offline (resource -> the case that did it)."""
    from jutong.governance.cases.queries import list_cases

    return {
        c.resource: c.ref for c in list_cases(settings, kind=CATALOG_OFFLINE_KIND, state="offline")
    }

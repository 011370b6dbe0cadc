"""Requests to open data, by citizens and organisations, as cases.

- ``request_open``: a conditional-open request (有条件开放, GX-Open art. 20) with its urgency
  (普通 / 加急 / 特急): purpose and data items stated (art. 20(1)), a period of use (the scope of
  the API key that delivers it), then the information centre's review, the provider's answer
  and the bureau's approval, each with its deadline (``jutong cases rules --flow
  open_conditional``).
- ``request_on_demand``: on-request opening (依申请开放, GX-Dispatch art. 33–34).

Only entries whose open type is conditional (有条件开放 / 依申请开放) are requested: an
unconditional one is open to everyone already, a not-open one (不予开放, GX-Open art. 19) is
refused with the entry's conditions. ``act`` fires a step of either kind.
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog.loader import Catalog, load_catalog
from jutong.catalog.model import OpenType
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import Effects, fire, open_case
from jutong.governance.cases.model import Case, CaseError, beijing_day
from jutong.governance.cases.queries import get_case
from jutong.governance.db import engine
from jutong.governance.opening.accounts import public_account
from jutong.governance.opening.config import opening_settings
from jutong.governance.sharing.requests import requested_items
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

OPEN_REQUEST = "open_request"
ON_REQUEST = "open_on_request"
KINDS = (OPEN_REQUEST, ON_REQUEST)
URGENCY_ALIASES = {
    "normal": "normal",
    "普通": "normal",
    "urgent": "urgent",
    "加急": "urgent",
    "most_urgent": "most_urgent",
    "most-urgent": "most_urgent",
    "特急": "most_urgent",
}


def urgency_of(text: str | None) -> str:
    key = (text or "normal").strip()
    if key not in URGENCY_ALIASES:
        raise CaseError(
            f"urgency '{text}' is not one of normal (普通), urgent (加急), most-urgent (特急) "
            "(GX-Open art. 20(1))"
        )
    return URGENCY_ALIASES[key]


def _open(
    settings: Settings,
    *,
    kind: str,
    flow_name: str,
    actor: Actor,
    resource: str,
    items: list[str],
    purpose: str,
    until: dt.date | None,
    urgency: str | None,
    at: dt.datetime | None,
    catalog: Catalog | None,
    calendar: WorkCalendar | None,
) -> Case:
    catalog = catalog or load_catalog(settings.catalog_dir)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    account = public_account(settings, actor)
    conf = opening_settings(catalog)
    try:
        entry = catalog.get(resource)
    except KeyError:
        raise CaseError(f"open request: no catalog entry '{resource}'") from None
    if entry.open.type is OpenType.unconditional:
        raise CaseError(
            f"{resource}: 无条件开放 (unconditional): open to everyone on the portal, no request "
            "needed (GX-Open art. 20)"
        )
    if entry.open.type is OpenType.none:
        raise CaseError(
            f"{resource}: 不予开放 (not open, GX-Open art. 19): {entry.open.conditions or ''}".strip()
        )
    if not (purpose or "").strip():
        raise CaseError("open request: --purpose is required (GX-Open art. 20(1): 说明申请用途)")
    if not items:
        raise CaseError("open request: name the data items wanted (GX-Open art. 20(1))")
    opened = at or dt.datetime.now(dt.UTC)
    if until is None:
        raise CaseError("open request: --until (end of the period of use) is required")
    if until <= beijing_day(opened):
        raise CaseError(f"open request: --until {until} is not in the future")
    data = {
        "items": requested_items(entry, items),
        "purpose": purpose.strip(),
        "until": until.isoformat(),
        "open_type": entry.open.type.value,
        "open_conditions": entry.open.conditions,
        "account_kind": account.kind,
        "account_name": account.name,
    }
    if kind == OPEN_REQUEST:
        data["urgency"] = urgency_of(urgency)
        data["centre"] = conf.centre
    with engine(settings).begin() as conn:
        return open_case(
            conn,
            kind=kind,
            flow_name=flow_name,
            actor=actor,
            requester=account.id,
            provider=entry.department,
            bureau=conf.bureau,
            resource=resource,
            title=f"{entry.title} → {account.name}",
            data=data,
            calendar=calendar,
            at=at,
            audit_data={"items": data["items"], **({"urgency": data.get("urgency")})},
        )


def request_open(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    items: list[str],
    purpose: str,
    until: dt.date | None,
    urgency: str | None = "normal",
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """A conditional-open request (GX-Open art. 20) by a public account."""
    return _open(
        settings,
        kind=OPEN_REQUEST,
        flow_name="open_conditional",
        actor=actor,
        resource=resource,
        items=items,
        purpose=purpose,
        until=until,
        urgency=urgency,
        at=at,
        catalog=catalog,
        calendar=calendar,
    )


def request_on_demand(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    items: list[str],
    purpose: str,
    until: dt.date | None,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """An on-request opening application (GX-Dispatch art. 33) by a public account."""
    return _open(
        settings,
        kind=ON_REQUEST,
        flow_name="open_on_request",
        actor=actor,
        resource=resource,
        items=items,
        purpose=purpose,
        until=until,
        urgency=None,
        at=at,
        catalog=catalog,
        calendar=calendar,
    )


def act(
    settings: Settings,
    ref: str,
    event: str,
    *,
    actor: Actor,
    reason: str | None = None,
    basis: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    effects: Effects | None = None,
    expected_version: int | None = None,
) -> Case:
    """Fire a step of an open request (either kind); other cases are refused. With
    ``expected_version``, a case changed since is refused (``StaleVersion``)."""
    case = get_case(settings, ref)
    if case.kind not in KINDS:
        raise CaseError(f"{case.ref}: is a {case.kind}, not an open request")
    return fire(
        settings,
        case.ref,
        event,
        actor=actor,
        reason=reason,
        basis=basis,
        at=at,
        calendar=calendar,
        effects=effects,
        expected_version=expected_version,
    )

"""Share requests: asked against the published share list, then run through the case engine.

A department asks for items of another department's catalog entry — or of one of the
bureau's base and theme resources (``catalog/shared/``, GX-Reg art. 23; GX-Dispatch art.
25–26), the bureau then being the provider — with a purpose, a period
and a delivery method (GX-Dispatch art. 29(1); GX-Reg art. 38: data is used only for the stated
purpose). The entry's share type decides (GX-Reg art. 20; LZ-Rules art. 22–23):

- 无条件共享 (unconditional): granted at once, no review — still a case, still audited;
- 有条件共享 (conditional): the flow of the jurisdiction (``catalog/jurisdiction.yaml``
  ``sharing.flow``: ``region`` = GX-Dispatch art. 29, ``city`` = art. 30, ``liuzhou`` =
  LZ-Rules art. 26; by default from the jurisdiction's level and division);
- 不予共享 (not shared, the negative list): refused with the entry's legal basis, audited.
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog.loader import Catalog, load_catalog
from jutong.catalog.model import ShareType
from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import open_case
from jutong.governance.cases.model import Case, CaseError, beijing_day
from jutong.governance.cases.rules import FLOWS, Role
from jutong.governance.db import engine
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

KIND = "share_request"
METHODS = ("file", "api")
LIUZHOU = "450200"


def bureau_department(catalog: Catalog) -> str:
    """The big-data bureau's department id (``sharing.bureau``; default ``dashuju``)."""
    sharing = (catalog.jurisdiction or {}).get("sharing") or {}
    dept = sharing.get("bureau", "dashuju")
    if dept not in catalog.departments:
        raise CaseError(
            f"catalog/jurisdiction.yaml: sharing.bureau: '{dept}' is not in "
            "catalog/departments.yaml"
        )
    return dept


def share_flow(catalog: Catalog) -> str:
    """The share-request flow of this jurisdiction (see the module doc)."""
    juris = catalog.jurisdiction or {}
    configured = (juris.get("sharing") or {}).get("flow")
    if configured:
        if configured not in FLOWS:
            raise CaseError(
                f"catalog/jurisdiction.yaml: sharing.flow: '{configured}' is not one of "
                f"{', '.join(FLOWS)}"
            )
        return configured
    info = juris.get("jurisdiction") or {}
    if str(info.get("division_code", "")).startswith(LIUZHOU[:4]):
        return "liuzhou"
    return "city" if info.get("level") == "city" else "region"


def requested_items(entry, wanted: list[str]) -> list[str]:
    """The entry's item names for ``wanted`` (names or Chinese labels), in order, each once;
    an item the entry does not have is refused naming the entry's items."""
    by_key = {}
    for it in entry.items:
        by_key[it.name] = it.name
        by_key[it.label] = it.name
    unknown = [w for w in wanted if w not in by_key]
    if unknown:
        raise CaseError(
            f"{entry.id}: no data item(s) {', '.join(unknown)} (items: "
            f"{', '.join(f'{i.name} {i.label}' for i in entry.items)})"
        )
    return list(dict.fromkeys(by_key[w] for w in wanted))


def request_share(
    settings: Settings,
    *,
    actor: Actor,
    resource: str,
    items: list[str],
    purpose: str,
    until: dt.date | None = None,
    method: str | None = None,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """Open a share request as ``actor`` (requester staff of the requesting department)."""
    catalog = catalog or load_catalog(settings.catalog_dir)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    if actor.role is not Role.requester_staff:
        raise CaseError(f"a share request is made by requester_staff, not {actor.role.value}")
    try:
        entry = catalog.shareable(resource)
    except KeyError:
        raise CaseError(
            f"share request: '{resource}' is not on the share list (a catalog entry "
            "<department>.<dataset> or a resource of the bureau, base.<table> / theme.<mart>: "
            "jutong share resources)"
        ) from None
    if entry.department == actor.department:
        raise CaseError(f"{resource}: is {actor.department}'s own data; no request is needed")
    if not (purpose or "").strip():
        raise CaseError(
            "share request: --purpose is required (GX-Reg art. 38: data is used "
            "only for the stated purpose)"
        )
    if not items:
        raise CaseError("share request: name the items wanted (--items a,b or labels)")
    chosen = requested_items(entry, items)
    method = method or ("api" if entry.share.method == "api" else "file")
    if method not in METHODS:
        raise CaseError(f"share request: method '{method}' is not one of {', '.join(METHODS)}")
    opened = at or dt.datetime.now(dt.UTC)
    if until is not None and until <= beijing_day(opened):
        raise CaseError(f"share request: --until {until} is not in the future")
    bureau = bureau_department(catalog)
    data = {
        "items": chosen,
        "purpose": purpose.strip(),
        "until": until.isoformat() if until else None,
        "method": method,
        "share_type": entry.share.type.value,
        "use_conditions": "GX-Reg art. 38; GX-Dispatch art. 44: only for the stated purpose, "
        "not passed to third parties nor stored elsewhere without the provider's consent",
    }
    if entry.share.type is ShareType.none:
        with engine(settings).begin() as conn:
            audit.append(
                conn,
                actor=actor.user,
                role=actor.role.value,
                department=actor.department,
                action=f"{KIND}.refused",
                subject=resource,
                data={
                    **data,
                    "legal_basis": entry.share.legal_basis,
                    "rule": "LZ-Rules art. 23 (negative list)",
                },
            )
        raise CaseError(
            f"{resource}: 不予共享 (not shared, on the negative list, LZ-Rules art. 23): "
            f"{entry.share.legal_basis}"
        )
    unconditional = entry.share.type is ShareType.unconditional
    with engine(settings).begin() as conn:
        return open_case(
            conn,
            kind=KIND,
            flow_name=share_flow(catalog),
            actor=actor,
            requester=actor.department,
            provider=entry.department,
            bureau=bureau,
            resource=resource,
            title=f"{entry.title} → {catalog.departments[actor.department].name}",
            data=data,
            calendar=calendar,
            at=at,
            state="granted" if unconditional else None,
            audit_data={
                "unconditional": unconditional,
                "items": chosen,
                "rule": "GX-Reg art. 20" if unconditional else "GX-Dispatch art. 29",
            },
        )

"""Online rating of opened data on the six quality dimensions (GX-Open art. 20(7): 规范性、
完整性、准确性、一致性、时效性、可用性), 1 (poor) to 5 (good) each, once per request, by the
requester's account after delivery. The ratings count in the provider's evaluation
(``jutong.governance.evaluation``; GX-Open art. 33).
"""

from __future__ import annotations

import datetime as dt
import statistics

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import CaseError, PermissionDenied, utc_naive
from jutong.governance.cases.queries import get_case
from jutong.governance.db import engine
from jutong.governance.opening.dimensions import DIMENSIONS
from jutong.governance.opening.requests import KINDS
from jutong.governance.schema import cases, open_ratings
from jutong.settings import Settings

RATABLE = frozenset({"delivered", "doubt", "checked", "closed", "opened", "filed"})


def rate(
    settings: Settings,
    ref: str,
    *,
    actor: Actor,
    scores: dict[str, int],
    comment: str | None = None,
    at: dt.datetime | None = None,
) -> dict:
    """Record the requester's rating of a delivered request; once per request."""
    case = get_case(settings, ref)
    if case.kind not in KINDS:
        raise CaseError(f"{case.ref}: is a {case.kind}, not an open request")
    if not actor.is_public or actor.department != case.requester:
        raise PermissionDenied(
            f"permission denied: {case.ref} is rated by its requester ({case.requester}), "
            f"not {actor} (GX-Open art. 20(7))"
        )
    if case.state not in RATABLE:
        raise CaseError(f"{case.ref}: is {case.state}; data is rated once delivered")
    missing = [d for d in DIMENSIONS if d not in scores]
    unknown = [d for d in scores if d not in DIMENSIONS]
    if missing or unknown:
        raise CaseError(
            f"{case.ref}: a rating gives all six dimensions "
            f"({', '.join(f'{k} {v}' for k, v in DIMENSIONS.items())}); "
            + "; ".join(
                x
                for x in (
                    f"missing: {', '.join(missing)}" if missing else "",
                    f"unknown: {', '.join(unknown)}" if unknown else "",
                )
                if x
            )
        )
    bad = {
        k: v
        for k, v in scores.items()
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5
    }
    if bad:
        raise CaseError(f"{case.ref}: scores are whole numbers 1–5, not {bad}")
    when = utc_naive(at)
    with engine(settings).begin() as conn:
        seq = conn.execute(sa.select(cases.c.seq).where(cases.c.ref == case.ref)).scalar_one()
        if conn.execute(sa.select(open_ratings.c.id).where(open_ratings.c.case_seq == seq)).first():
            raise CaseError(f"{case.ref}: already rated")
        row = {
            "case_seq": seq,
            "account": case.requester,
            "provider": case.provider,
            "resource": case.resource,
            **{d: scores[d] for d in DIMENSIONS},
            "comment": (comment or "").strip() or None,
            "rated_at": when,
        }
        conn.execute(open_ratings.insert().values(**row))
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action=f"{case.kind}.rate",
            subject=case.ref,
            at=when,
            data={"scores": {d: scores[d] for d in DIMENSIONS}, "rule": "GX-Open art. 20(7)"},
        )
    return row


def ratings_by_provider(settings: Settings) -> dict[str, dict]:
    """Per provider: the number of ratings, the mean of each dimension and the overall mean."""
    with engine(settings).connect() as conn:
        rows = conn.execute(sa.select(open_ratings)).mappings().all()
    out: dict[str, dict] = {}
    for prov in sorted({r["provider"] for r in rows}):
        mine = [r for r in rows if r["provider"] == prov]
        dims = {d: round(statistics.mean(r[d] for r in mine), 2) for d in DIMENSIONS}
        out[prov] = {
            "ratings": len(mine),
            "dimensions": dims,
            "mean": round(statistics.mean(dims.values()), 2),
        }
    return out

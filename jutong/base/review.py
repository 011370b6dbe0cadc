"""The clerical review queue: unkeyed mentions whose best match is in the grey zone.

One item per decision to take: (review subject, candidate entity). A review subject is the
group of unkeyed mentions whose compared features are all equal — one person's four
social-insurance rows with the same mistyped ID are one subject, one item, one decision
(``spark_jobs.base.steps.probabilistic.subjects``). Its key (``g:`` + a hash of the
features) is stored in the ``mention_id`` column, and the rows it covers in
``details["mentions"]``; a decision recorded for a single mention before mentions were
grouped keeps its mention id there and applies to that mention alone.

Every base build puts each grey-zone pair (subject, candidate entity, probability, the
features compared, the rows covered) here as ``pending`` unless a quality owner already
decided it; a decision (``accepted``: merge; ``rejected``: keep apart) is stored with who
and when, and every later build applies it to every row of the subject — also to rows that
join it later (the subject key and the entity id are both stable across runs).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.base.review_case import FLOW, KIND, PREFIX, build_actor, case_item, case_ref
from jutong.catalog.loader import load_catalog
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire, fire_in, open_many
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import cases, review_items
from jutong.governance.sharing.requests import bureau_department
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

STATUSES = ("pending", "accepted", "rejected")


class ReviewError(ValueError):
    """A review command that cannot be carried out (unknown id, already decided)."""


@dataclass(frozen=True)
class ReviewItem:
    id: int
    base: str
    mention_id: str
    entity_id: str
    match_probability: float
    details: dict
    status: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None

    @property
    def subject(self) -> str:
        """What is decided on: a review subject key, or one mention id."""
        return self.mention_id

    @property
    def mentions(self) -> list[str]:
        """The mention ids (dataset|batch|row|role) this item covers, as last proposed."""
        return list(self.details.get("mentions") or [self.mention_id])

    @classmethod
    def from_row(cls, r) -> ReviewItem:
        d = dict(r._mapping)
        d["details"] = json.loads(d["details"])
        return cls(**d)


def _engine(settings: Settings):
    return engine(settings)


def decisions(settings: Settings, base: str) -> dict[tuple[str, str], str]:
    """(subject, entity_id) -> accepted | rejected, for one base database (the subject: a
    review subject key, or a mention id for a decision taken on one mention)."""
    eng = _engine(settings)
    q = sa.select(review_items.c.mention_id, review_items.c.entity_id, review_items.c.status)
    q = q.where(review_items.c.base == base, review_items.c.status != "pending")
    with eng.connect() as c:
        return {(m, e): s for m, e, s in c.execute(q)}


def sync_pending(
    settings: Settings,
    base: str,
    pairs: list[dict],
    covered: dict[str, list[str]] | None = None,
) -> int:
    """Record this build's undecided grey-zone pairs (``mention_id``: the review subject,
    ``entity_id``, ``match_probability``, ``details`` with the ``mentions`` covered) as
    pending; pending pairs no longer proposed are dropped (the subject's rows found a key or
    a better match). ``covered`` (subject -> mention ids, this build's): a decided item's
    rows are refreshed from it, so that it shows every row it now applies to (rows that
    joined its subject since the decision). Returns the pending count."""
    eng = _engine(settings)
    now = utcnow()
    wanted = {(p["mention_id"], p["entity_id"]): p for p in pairs}
    t = review_items
    catalog = load_catalog(settings.catalog_dir)
    bureau = bureau_department(catalog)
    build = build_actor(bureau)
    calendar = WorkCalendar.from_catalog(catalog)
    with eng.begin() as c:
        existing = {
            (r.mention_id, r.entity_id): r for r in c.execute(sa.select(t).where(t.c.base == base))
        }
        next_id = _next_id(c)
        opened: list[dict] = []
        for key, p in wanted.items():
            row = existing.get(key)
            values = {
                "match_probability": float(p["match_probability"]),
                "details": json.dumps(p.get("details", {}), ensure_ascii=False, default=str),
                "last_seen": now,
            }
            if row is None:
                # an id never used before, also by an item since dropped: the case's reference
                # ``review:<id>`` is the item's for good
                c.execute(
                    t.insert().values(
                        id=next_id,
                        base=base,
                        mention_id=key[0],
                        entity_id=key[1],
                        status="pending",
                        first_seen=now,
                        **values,
                    )
                )
                opened.append(case_item(next_id, base, key[0], key[1], bureau))
                next_id += 1
            elif row.status == "pending":
                c.execute(t.update().where(t.c.id == row.id).values(**values))
        for (subject, _), r in existing.items():
            rows = (covered or {}).get(subject)
            if r.status == "pending" or not rows:
                continue
            details = json.loads(r.details)
            if sorted(rows) != details.get("mentions"):
                details["mentions"] = sorted(rows)
                c.execute(
                    t.update()
                    .where(t.c.id == r.id)
                    .values(details=json.dumps(details, ensure_ascii=False, default=str))
                )
        if opened and c.dialect.name == "postgresql":  # ids given: the sequence follows
            c.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('review_items', 'id'), "
                    "(SELECT max(id) FROM review_items))"
                )
            )
        # the build puts the new items in the queue: one case each, one audit event for all
        open_many(
            c,
            kind=KIND,
            flow_name=FLOW,
            actor=build,
            items=opened,
            calendar=calendar,
            at=now,
            batch_subject=f"review-queue:{base}",
            batch_data={"base": base},
        )
        stale = [r.id for k, r in existing.items() if r.status == "pending" and k not in wanted]
        for item_id in stale:  # no longer proposed: its case is superseded, the row dropped
            fire_in(
                c,
                case_ref(item_id),
                "supersede",
                actor=build,
                calendar=calendar,
                at=now,
                reason="no longer proposed by the build (a key or a better match was found)",
            )
        if stale:
            c.execute(t.delete().where(t.c.id.in_(stale)))
        return c.execute(
            sa.select(sa.func.count()).where(t.c.base == base, t.c.status == "pending")
        ).scalar_one()


def list_items(
    settings: Settings, *, base: str | None = None, status: str | None = "pending"
) -> list[ReviewItem]:
    eng = _engine(settings)
    t = review_items
    q = sa.select(t).order_by(t.c.id)
    if base:
        q = q.where(t.c.base == base)
    if status:
        if status not in STATUSES:
            raise ReviewError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
        q = q.where(t.c.status == status)
    with eng.connect() as c:
        return [ReviewItem.from_row(r) for r in c.execute(q)]


def decide(
    settings: Settings,
    item_id: int,
    decision: str,
    *,
    by: str,
    note: str | None = None,
    role: str | None = None,
    department: str | None = None,
) -> ReviewItem:
    """Accept or reject one pending item — every row it covers; the next build applies it
    (and every later one, also to rows that join the subject). The decision fires the
    item's case (``review:<id>``, flow ``review``: pending -> merged | kept_apart) as ``by``
    in ``role`` and ``department`` (default: the bureau's administrator); the case's state,
    the item's status and the audit event (``review.accepted`` / ``review.rejected``, with
    who decided) are written in one transaction."""
    if decision not in ("accepted", "rejected"):
        raise ReviewError(f"decision must be accepted or rejected, not '{decision}'")
    if not by or not by.strip():
        raise ReviewError("a decision needs the name of who made it (--by)")
    by = by.strip()
    t = review_items
    with _engine(settings).connect() as c:
        row = c.execute(sa.select(t).where(t.c.id == item_id)).first()
    if row is None:
        raise ReviewError(f"no review item {item_id}")
    if row.status != "pending":
        raise ReviewError(
            f"review item {item_id} was already {row.status} by {row.decided_by} "
            f"at {row.decided_at:%Y-%m-%d %H:%M}"
        )
    catalog = load_catalog(settings.catalog_dir)
    if role is None:  # the command line's embedded default: the bureau's administrator
        role, department = Role.bureau_admin.value, bureau_department(catalog)
    try:
        actor = Actor(by, Role(role), department or "")
    except ValueError:
        raise ReviewError(f"unknown role '{role}'") from None
    now = utcnow()

    def effects(c: sa.Connection, _seq: int, _case) -> dict:
        if decision == "accepted":
            # one entity per subject: accepting a pair settles the subject's other pairs
            other = c.execute(
                sa.select(t.c.id).where(
                    t.c.base == row.base,
                    t.c.mention_id == row.mention_id,
                    t.c.status == "accepted",
                )
            ).first()
            if other is not None:
                raise ReviewError(
                    f"the rows of review item {item_id} are already merged by review item "
                    f"{other.id}"
                )
        done = c.execute(
            t.update()
            .where(t.c.id == item_id, t.c.status == "pending")
            .values(status=decision, decided_by=by, decided_at=now, note=note)
        )
        if done.rowcount != 1:
            raise ReviewError(f"review item {item_id} was decided meanwhile; look again")
        return {"review_item": item_id, "status": decision}

    try:  # one transaction: the case's state, the item's decision and the audit event
        fire(
            settings,
            case_ref(item_id),
            decision,
            actor=actor,
            reason=note,
            at=now,
            calendar=WorkCalendar.from_catalog(catalog),
            effects=effects,
            kind=KIND,
            audit_data={
                "base": row.base,
                "subject": row.mention_id,
                "entity_id": row.entity_id,
                "match_probability": row.match_probability,
                "note": note,
            },
        )
    except PermissionDenied:
        raise
    except CaseError as err:
        raise ReviewError(str(err)) from None
    with _engine(settings).connect() as c:
        return ReviewItem.from_row(c.execute(sa.select(t).where(t.c.id == item_id)).one())


def _next_id(c: sa.Connection) -> int:
    """One more than any review item id there is or was (the cases keep dropped items')."""
    t = review_items
    top = c.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0
    number = sa.cast(sa.func.substr(cases.c.ref, len(PREFIX) + 1), sa.Integer)
    top_case = c.execute(sa.select(sa.func.max(number)).where(cases.c.kind == KIND)).scalar()
    return max(top, top_case or 0) + 1

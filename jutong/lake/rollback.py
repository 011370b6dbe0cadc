"""``jutong lake rollback``: make an earlier snapshot of a table current again, audited.

A bad build published (a base database merged what it should not have, a theme built from it)
can be taken back without losing anything (LZ-Rules art. 29; R14):

- the target is a snapshot id, or a day: the newest snapshot on the table's main line
  committed by the end of that day (Beijing time);
- tables published together as one unit (a base and its links, ledger and history; the
  marts of one theme build) are rolled back together, each to its snapshot of the target's
  unit — never one table of a unit alone;
- before anything moves, the current snapshot of each table is **tagged**
  (``rolled_back_<UTC time>``): the later history stays reachable (repair keeps it and its
  files), and ``--to`` that tag's snapshot undoes the rollback;
- the build mark of ``jutong.orchestration.freshness`` is removed, so the next scheduled
  build of the table does not take the rolled-back state for its own;
- one audit event per rollback (``lake.rollback``: tables, from, to, unit, tags, reason).

The raw zone is the unchanged record of what departments delivered: it is never rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from jutong.lake import Lake, LakeError, Zone
from jutong.lake.history import ancestry
from jutong.lake.publish import UNIT_PROPERTY, UNIT_TABLES_PROPERTY
from jutong.settings import Settings

BUILT_FROM = "jutong.built_from"  # jutong.orchestration.freshness.PROPERTY
TAG_PREFIX = "rolled_back_"
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Rollback:
    table: str
    target: int
    unit: str | None = None
    moves: dict[str, tuple[int | None, int]] = field(default_factory=dict)  # ident -> (from, to)
    tags: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            (
                f"{ident}: snapshot {new} is already current"
                if old == new
                else f"{ident}: snapshot {old} -> {new}"
                + (f" (tagged {self.tags[ident]})" if ident in self.tags else "")
            )
            for ident, (old, new) in self.moves.items()
        ]
        if self.unit:
            out.append(f"unit {self.unit}: {len(self.moves)} table(s) rolled back together")
        return out


def _split(ident: str) -> tuple[Zone, str]:
    zone_, _, name = ident.partition(".")
    try:
        z = Zone(zone_)
    except ValueError:
        raise LakeError(f"'{ident}': not zone.table (zones: {', '.join(Zone)})") from None
    if not name:
        raise LakeError(f"'{ident}': not zone.table")
    return z, name


def _reachable(table) -> dict[int, object]:
    """Snapshots reachable from any ref (main, tags of earlier rollbacks, branches)."""
    out: dict[int, object] = {}
    for ref in table.metadata.refs.values():
        for snap in ancestry(table, ref.snapshot_id):
            out.setdefault(snap.snapshot_id, snap)
    return out


def resolve_target(table, to: str) -> int:
    """A snapshot id (reachable from a ref), or a day ``YYYY-MM-DD``: the newest snapshot on
    main committed by the end of that Beijing day."""
    text = to.strip()
    if text.isdigit() and len(text) > 10:
        sid = int(text)
        if sid not in _reachable(table):
            raise LakeError(f"snapshot {sid} is not in this table's history")
        return sid
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise LakeError(f"--to '{to}': a snapshot id or a day YYYY-MM-DD") from None
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BEIJING)
    end_ms = int(end.timestamp() * 1000)
    oldest = None
    for snap in ancestry(table):
        if snap.timestamp_ms < end_ms:
            return snap.snapshot_id
        oldest = snap
    first = (
        dt.datetime.fromtimestamp(oldest.timestamp_ms / 1000, BEIJING).strftime("%Y-%m-%d %H:%M")
        if oldest is not None
        else "-"
    )
    raise LakeError(
        f"no snapshot of this table was committed by the end of {day} (Beijing time); its "
        f"oldest is from {first}"
    )


def _props(snap) -> dict[str, str]:
    return dict(snap.summary.additional_properties) if snap.summary is not None else {}


def plan(lake: Lake, ident: str, to: str) -> Rollback:
    """What a rollback would do, without changing anything."""
    zone_, name = _split(ident)
    if zone_ is Zone.raw:
        raise LakeError(
            f"{ident}: the raw zone is the record of what departments delivered and is never "
            "rolled back (roll back staging or base instead)"
        )
    table = lake.table_or_none(zone_, name)
    if table is None:
        raise LakeError(f"{ident}: no such table")
    target = resolve_target(table, to)
    props = _props(_reachable(table)[target])
    unit = props.get(UNIT_PROPERTY)
    rb = Rollback(f"{zone_.value}.{name}", target, unit)
    current = table.current_snapshot()
    rb.moves[rb.table] = (current.snapshot_id if current else None, target)
    others = [t for t in props.get(UNIT_TABLES_PROPERTY, "").split(",") if t and t != rb.table]
    for other in others:
        oz, on = _split(other)
        t = lake.table_or_none(oz, on)
        match = None
        if t is not None:
            # the unit's snapshot on that table (the nearest in time, should a unit id recur)
            same = [s for s in _reachable(t).values() if _props(s).get(UNIT_PROPERTY) == unit]
            at_ms = _reachable(table)[target].timestamp_ms
            match = min(same, key=lambda s: abs(s.timestamp_ms - at_ms), default=None)
        if match is None:
            raise LakeError(
                f"{rb.table}: snapshot {target} belongs to unit {unit}, which {other} does not "
                "hold: the unit cannot be rolled back as a whole (nothing was changed)"
            )
        cur = t.current_snapshot()
        rb.moves[other] = (cur.snapshot_id if cur else None, match.snapshot_id)
    return rb


def rollback(
    settings: Settings,
    ident: str,
    to: str,
    *,
    reason: str,
    audit: Callable[[dict], None],
    lake: Lake | None = None,
) -> Rollback:
    """Roll ``ident`` (and the rest of its unit) back to ``to`` (see the module docstring).

    ``audit(event_data)`` records the rollback (the governance audit log, called by
    ``jutong lake rollback``; the lake layer does not import the governance layer); it is
    called after the tables moved, with what moved."""
    if not reason or not reason.strip():
        raise LakeError("a rollback needs its reason (--reason)")
    lake = lake or Lake(settings)
    rb = plan(lake, ident, to)
    if all(old == new for old, new in rb.moves.values()):
        raise LakeError(f"{rb.table}: snapshot {rb.target} is already current")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    tables = {i: lake.table(*_split(i)) for i in rb.moves}
    # tag first, on every table: from here on nothing of the later history can be expired
    for ident_, (old, _new) in rb.moves.items():
        if old is None:
            continue
        tag = f"{TAG_PREFIX}{stamp}"
        tables[ident_].manage_snapshots().create_tag(snapshot_id=old, tag_name=tag).commit()
        rb.tags[ident_] = tag
    for ident_, (old, new) in rb.moves.items():
        t = tables[ident_].refresh()
        if old != new:
            t.manage_snapshots().set_current_snapshot(snapshot_id=new).commit()
            t = t.refresh()
        if BUILT_FROM in t.properties:
            with t.transaction() as tx:
                tx.remove_properties(BUILT_FROM)
    audit(
        {
            "target": rb.target,
            "unit": rb.unit,
            "moves": {k: {"from": a, "to": b} for k, (a, b) in rb.moves.items()},
            "tags": rb.tags,
            "reason": reason.strip(),
            "basis": "LZ-Rules art. 29",
        }
    )
    return rb

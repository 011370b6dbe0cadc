"""``jutong lake repair``: settle what crashed runs left behind, never touching live work.

Per table (each on its own: one table's broken state never stops the others):

1. WAP branches of dead runs (``jutong.lake.runs``): a branch whose snapshot is already on
   ``main`` is removed; a branch of a unit that another table already published is published
   too (rolled forward) when ``main`` has not moved since it was staged; any other is removed.
   Branches of live runs are left alone.
2. Snapshots no branch or tag reaches any more are expired from the metadata (their files are
   not deleted by that).
3. Data files no reachable snapshot references and whose run is dead (or, for files without
   a run token, older than the grace period) are deleted, with Spark's side files.

``inspect`` reports the same without changing anything (``jutong lake status`` warns with it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from jutong.lake import history
from jutong.lake.publish import BRANCH_PREFIX, UNIT_PROPERTY, UNIT_TABLES_PROPERTY
from jutong.lake.runs import DEFAULT_GRACE_S, RunToken, run_is_alive
from jutong.lake.zones import ZONES

log = logging.getLogger(__name__)


@dataclass
class TableRepair:
    table: str
    live_branches: list[str] = field(default_factory=list)
    removed_branches: list[str] = field(default_factory=list)
    rolled_forward: list[str] = field(default_factory=list)  # units published by repair
    expired_snapshots: int = 0
    orphan_files: list[str] = field(default_factory=list)  # deleted (or to delete)
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.removed_branches
            or self.rolled_forward
            or self.expired_snapshots
            or self.orphan_files
        )

    def lines(self, dry_run: bool) -> list[str]:
        verb = "would " if dry_run else ""
        out = []
        if self.rolled_forward:
            out.append(f"{verb}publish the rest of unit(s) {', '.join(self.rolled_forward)}")
        if self.removed_branches:
            out.append(f"{verb}remove {len(self.removed_branches)} leftover WAP branch(es)")
        if self.expired_snapshots:
            out.append(f"{verb}expire {self.expired_snapshots} unreachable snapshot(s)")
        if self.orphan_files:
            out.append(f"{verb}delete {len(self.orphan_files)} unreferenced data file(s)")
        if self.live_branches:
            out.append(f"{len(self.live_branches)} write(s) in progress by live runs (left alone)")
        out += [f"PROBLEM: {p}" for p in self.problems]
        return [f"{self.table}: {line}" for line in out]


def _ident(table) -> str:
    n = table.name()
    return ".".join(n) if isinstance(n, tuple) else str(n)


def all_tables(lake) -> list[str]:
    return [f"{z}.{t}" for z in ZONES for t in lake.tables(z)]


def _unit_on_main(lake, unit: str, tables: Iterable[str]) -> bool:
    for ident in tables:
        zone, _, name = ident.partition(".")
        t = lake.table_or_none(zone, name)
        if t is not None and history.snapshot_with_property(t, UNIT_PROPERTY, unit) is not None:
            return True
    return False


def _data_files(lake, zone: str, name: str, table) -> list[tuple[str, float]]:
    """Every ``.parquet`` file under the table's ``data/`` folders (its own location's and,
    with ``data_files_root``, the lake's) with its mtime."""
    from pyarrow.fs import FileSelector, FileType

    out = []
    for loc in lake.data_locations(zone, name, table):
        fs, root = lake.filesystem(f"{loc}/data")
        try:
            infos = fs.get_file_info(FileSelector(root, recursive=True, allow_not_found=True))
        except (FileNotFoundError, OSError):
            continue
        scheme = loc.split("://", 1)[0] + "://" if "://" in loc else ""
        for i in infos:
            if i.type == FileType.File and i.path.endswith(".parquet"):
                uri = i.path if not scheme or i.path.startswith(scheme) else f"{scheme}{i.path}"
                mtime = i.mtime.timestamp() if i.mtime is not None else 0.0
                out.append((uri, mtime))
    return out


def _norm(uri: str) -> str:
    return uri.removeprefix("file://")


def repair_table(
    lake,
    ident: str,
    *,
    dry_run: bool = False,
    grace_s: float = DEFAULT_GRACE_S,
    live: Callable[[RunToken], bool] | None = None,
) -> TableRepair:
    """Repair one table (see the module docstring)."""
    import time

    alive = live or (lambda tok: run_is_alive(tok, grace_s))
    rep = TableRepair(ident)
    zone, _, name = ident.partition(".")
    table = lake.table(zone, name)

    # 1. branches of dead runs
    for ref_name in [r for r in table.metadata.refs if r.startswith(BRANCH_PREFIX)]:
        token = RunToken.parse(ref_name)
        if token is not None and alive(token):
            rep.live_branches.append(ref_name)
            continue
        snap = table.snapshot_by_name(ref_name)
        props = dict(snap.summary.additional_properties) if snap and snap.summary else {}
        unit = props.get(UNIT_PROPERTY)
        if snap is not None and not history.on_main(table, snap.snapshot_id) and unit:
            others = [t for t in props.get(UNIT_TABLES_PROPERTY, "").split(",") if t]
            if _unit_on_main(lake, unit, [t for t in others if t != ident]):
                current = table.current_snapshot()
                # a fast-forward only: main must not have moved since the branch was made
                # (a replace writes two snapshots on the branch: main is an ancestor)
                if current is None or current.snapshot_id not in {
                    s.snapshot_id for s in history.ancestry(table, snap.snapshot_id)
                }:
                    rep.problems.append(
                        f"unit {unit} is half-published and {ident}'s main moved since it "
                        f"was staged; branch {ref_name} kept for a person to decide"
                    )
                    continue
                if not dry_run:
                    table.manage_snapshots().set_current_snapshot(
                        snapshot_id=snap.snapshot_id
                    ).commit()
                    table = table.refresh()
                rep.rolled_forward.append(unit)
        if not dry_run:
            table.manage_snapshots().remove_branch(ref_name).commit()
            table = table.refresh()
        rep.removed_branches.append(ref_name)

    # 2. unreachable snapshots (from branches removed now or earlier)
    if dry_run:
        removed = set(rep.removed_branches)
        refs = {n: r for n, r in table.metadata.refs.items() if n not in removed}
    else:
        refs = dict(table.metadata.refs)
    reachable: set[int] = set()
    for ref in refs.values():
        reachable.update(s.snapshot_id for s in history.ancestry(table, ref.snapshot_id))
    unreachable = [s.snapshot_id for s in table.snapshots() if s.snapshot_id not in reachable]
    if unreachable and not dry_run:
        table.maintenance.expire_snapshots().by_ids(unreachable).commit()
        table = table.refresh()
    rep.expired_snapshots = len(unreachable)

    # 3. unreferenced files of dead runs
    referenced = {_norm(f) for f in _referenced_by(table, reachable)}
    now = time.time()
    for uri, mtime in _data_files(lake, zone, name, table):
        if _norm(uri) in referenced:
            continue
        token = RunToken.parse(PurePosixPath(uri).parent.name + "/" + PurePosixPath(uri).name)
        dead = (not alive(token)) if token is not None else now - mtime > grace_s
        if dead:
            rep.orphan_files.append(uri)
    if rep.orphan_files and not dry_run:
        _delete_with_side_files(lake, rep.orphan_files)
    return rep


def _referenced_by(table, snapshot_ids: set[int]) -> set[str]:
    files: set[str] = set()
    seen: set[str] = set()
    for sid in snapshot_ids:
        for manifest in table.snapshot_by_id(sid).manifests(table.io):
            if manifest.manifest_path not in seen:
                seen.add(manifest.manifest_path)
                files.update(
                    e.data_file.file_path
                    for e in manifest.fetch_manifest_entry(table.io, discard_deleted=False)
                )
    return files


def _delete_with_side_files(lake, uris: list[str]) -> None:
    """Delete the files, and a folder left with no data file (Spark's ``_SUCCESS``, ``.crc``)."""
    from pyarrow.fs import FileSelector, FileType

    lake.delete_files(uris)
    for folder in {str(PurePosixPath(_norm(u)).parent) for u in uris}:
        fs, path = lake.filesystem(folder)
        try:
            left = fs.get_file_info(FileSelector(path, allow_not_found=True))
        except OSError:
            continue
        if (
            left
            and not any(i.type == FileType.File and i.path.endswith(".parquet") for i in left)
            and RunToken.parse(PurePosixPath(path).name) is not None
        ):
            fs.delete_dir(path)


def repair(
    lake,
    tables: Iterable[str] | None = None,
    *,
    dry_run: bool = False,
    grace_s: float = DEFAULT_GRACE_S,
    live: Callable[[RunToken], bool] | None = None,
) -> list[TableRepair]:
    """Repair ``tables`` (identifiers ``zone.name``; default every table of the lake)."""
    out = []
    for ident in tables if tables is not None else all_tables(lake):
        zone, _, name = ident.partition(".")
        if not lake.table_exists(zone, name):
            continue
        try:
            out.append(repair_table(lake, ident, dry_run=dry_run, grace_s=grace_s, live=live))
        except Exception as err:  # noqa: BLE001 - one table's trouble must not stop the rest
            log.warning("repair of %s failed: %s", ident, err)
            out.append(TableRepair(ident, problems=[f"repair failed: {type(err).__name__}: {err}"]))
    return out


def repair_before_job(lake, tables: Iterable[str]) -> list[TableRepair]:
    """Run before a job touches ``tables``: settle dead runs' leftovers, say what was done."""
    reps = repair(lake, list(tables))
    for r in reps:
        if r.changed or r.problems:
            for line in r.lines(dry_run=False):
                log.warning("lake repair: %s", line)
    return reps


def unit_gaps(lake, ident: str) -> list[str]:
    """The tables of the unit that published ``ident``'s current snapshot which do not have
    that unit on their main (a build a crash left half-published); empty when consistent."""
    from jutong.lake.zones import table_id

    zone, _, name = ident.partition(".")
    table = lake.table_or_none(zone, name)
    snap = table.current_snapshot() if table is not None else None
    props = dict(snap.summary.additional_properties) if snap and snap.summary else {}
    unit = props.get(UNIT_PROPERTY)
    if not unit:
        return []
    gaps = []
    for other in [t for t in props.get(UNIT_TABLES_PROPERTY, "").split(",") if t and t != ident]:
        z, _, n = other.partition(".")
        t = lake.table_or_none(z, n)
        if t is None or history.snapshot_with_property(t, UNIT_PROPERTY, unit) is None:
            gaps.append(table_id(z, n))
    return gaps

"""Write-audit-publish (docs/architecture.md), for one table or several as one unit.

Each table's new files are committed to a hidden branch ``wap_<run token>_<n>``, audited there,
and only then made the current snapshot of ``main`` in one metadata commit. Until that commit
is sent, any failure removes the branch and the files and leaves ``main`` exactly as it was.
Once it may have been sent, nothing is ever deleted ("commit state unknown"): the catalog is
read again; if ``main`` has the snapshot the write succeeded, otherwise
``CommitStateUnknownError`` is raised and ``jutong lake repair`` settles it later.

A ``PublishUnit`` stages and audits every table of a job first, then publishes them one after
the other; each branch snapshot carries ``jutong.unit`` and ``jutong.unit_tables``. A crash
in the publish phase leaves some tables published and the others' branches audited and
waiting: ``jutong lake repair`` publishes those (rolls the unit forward).

Two writers of one table: the one whose commit lands first wins; the other finds ``main``
moved, re-stages its files on the new ``main``, re-audits and publishes — or, when
``skip_if`` says its data is already there, publishes nothing and raises
``AlreadyPublishedError``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from jutong.lake import failpoints, history
from jutong.lake.errors import (
    AlreadyPublishedError,
    AuditError,
    CommitStateUnknownError,
    ConcurrentPublishError,
)
from jutong.lake.runs import current_run

log = logging.getLogger(__name__)

BRANCH_PREFIX = "wap_"
UNIT_PROPERTY = "jutong.unit"
UNIT_TABLES_PROPERTY = "jutong.unit_tables"
RUN_PROPERTY = "jutong.run"
ATTEMPTS = 4

_seq = itertools.count(1)


def new_branch_name() -> str:
    return f"{BRANCH_PREFIX}{current_run()}_{next(_seq)}"


def _is_conflict(err: BaseException) -> bool:
    """A commit refused because another writer changed the table meanwhile."""
    from pyiceberg.exceptions import CommitFailedException

    if isinstance(err, CommitFailedException):
        return True
    text = str(err)
    return isinstance(err, ValueError) and (
        "sequence number" in text or "branch" in text and "already exists" in text
    )


@dataclass
class _Staged:
    table: object  # pyiceberg Table (refreshed as we go)
    files: list[str]
    properties: dict[str, str]
    audit: Callable[[object, int], None]
    replace: bool = False
    skip_if: Callable[[object], bool] | None = None
    branch: str = ""
    base_id: int | None = None
    snapshot_id: int | None = None
    published: bool = False
    sent: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _ident(table) -> str:
    n = table.name()
    return ".".join(n) if isinstance(n, tuple) else str(n)


def _stage(st: _Staged) -> None:
    """Commit ``st.files`` to a fresh branch off main and audit them there."""
    table = st.table.refresh()
    if st.skip_if is not None and st.skip_if(table):
        raise AlreadyPublishedError(f"{_ident(table)}: already published by another run")
    base = table.current_snapshot()
    st.base_id = base.snapshot_id if base else None
    st.branch = new_branch_name()
    props = {**st.properties, **st.extra, RUN_PROPERTY: str(current_run())}
    failpoints.hit("before_branch")
    if st.base_id is not None:
        table.manage_snapshots().create_branch(st.base_id, st.branch).commit()
    if st.replace and st.base_id is not None:
        from pyiceberg.expressions import AlwaysTrue

        with table.transaction() as tx:
            tx.delete(AlwaysTrue(), snapshot_properties=props, branch=st.branch)
            tx.add_files(st.files, snapshot_properties=props, branch=st.branch)
    else:
        table.add_files(st.files, snapshot_properties=props, branch=st.branch)
    failpoints.hit("after_branch_write")
    table = table.refresh()
    st.table = table
    snap = table.snapshot_by_name(st.branch)
    if snap is None or snap.snapshot_id == st.base_id:
        raise AuditError(f"{_ident(table)}: branch {st.branch} has no snapshot after the write")
    st.snapshot_id = snap.snapshot_id
    failpoints.hit("in_audit")
    st.audit(table, snap.snapshot_id)


def _remove_branch(st: _Staged) -> None:
    """Best effort, retried while other writers move the table; a branch left behind is
    removed by ``jutong lake repair``."""
    if not st.branch:
        return
    for attempt in range(ATTEMPTS):
        try:
            t = st.table.refresh()
            if t.snapshot_by_name(st.branch) is not None:
                t.manage_snapshots().remove_branch(st.branch).commit()
            return
        except Exception as err:  # noqa: BLE001 - the caller's outcome does not depend on it
            if _is_conflict(err) and attempt + 1 < ATTEMPTS:
                continue
            log.warning(
                "could not remove branch %s of %s (%s); `jutong lake repair` will",
                st.branch,
                _ident(st.table),
                err,
            )
            return


def _discard(lake, st: _Staged, *, files: bool = True) -> None:
    """Undo a write whose publish commit was never sent."""
    assert not st.sent, "never discard after the publish commit was sent"
    _remove_branch(st)
    st.branch = ""
    if files:
        lake.delete_files(st.files)


def _commit(st: _Staged) -> bool:
    """Make the branch snapshot main's current one. False when main moved (nothing sent)."""
    table = st.table.refresh()
    current = table.current_snapshot()
    if (current.snapshot_id if current else None) != st.base_id:
        return False
    st.sent = True
    try:
        failpoints.hit("before_publish_commit")
        table.manage_snapshots().set_current_snapshot(snapshot_id=st.snapshot_id).commit()
        failpoints.hit("after_publish_commit")
    except BaseException as err:
        _confirm(st, err)
    st.published = True
    try:
        failpoints.hit("in_branch_removal")
    except BaseException as err:  # noqa: BLE001 - published; the branch is repair's business
        log.warning("%s", err)
        return True
    _remove_branch(st)
    return True


def _confirm(st: _Staged, err: BaseException) -> None:
    """After a publish commit raised: did it land? Never deletes anything."""
    try:
        table = st.table.refresh()
        landed = history.on_main(table, st.snapshot_id)
    except Exception:  # noqa: BLE001 - the catalog cannot even be read
        landed = None
    if landed:
        log.warning(
            "%s: publish commit raised (%s) but landed; snapshot %s is published",
            _ident(st.table),
            err,
            st.snapshot_id,
        )
        return
    if landed is False and _is_conflict(err):
        st.sent = False  # refused by the catalog: it did not happen
        raise ConcurrentPublishError(f"{_ident(st.table)}: publish refused ({err})") from err
    raise CommitStateUnknownError(
        f"{_ident(st.table)}: the publish commit of snapshot {st.snapshot_id} may or may not "
        f"have landed ({type(err).__name__}: {err}); nothing was deleted — run "
        "`jutong lake repair`"
    ) from err


class PublishUnit:
    """Tables published together: stage + audit all, then publish all.

    ``with lake.unit("base.population") as unit: unit.stage(...); ...; ids = unit.publish()``
    — leaving the block without ``publish`` (or with an error before it) discards every
    staged write.
    """

    def __init__(self, lake, name: str, tables: list[str] | None = None):
        """``tables``: the identifiers (``zone.name``) of every table the unit will publish;
        recorded on each branch snapshot so that repair can finish a half-published unit."""
        self.lake = lake
        self.unit_id = f"{name}@{current_run()}"
        self.tables = list(tables or [])
        self._staged: list[_Staged] = []

    def stage(
        self,
        table,
        files: list[str],
        *,
        properties: dict[str, str],
        audit: Callable[[object, int], None] | None = None,
        replace: bool = False,
        skip_if: Callable[[object], bool] | None = None,
    ) -> None:
        st = _Staged(
            table, list(files), dict(properties), audit or (lambda t, s: None), replace, skip_if
        )
        if self.tables:
            st.extra = {UNIT_PROPERTY: self.unit_id, UNIT_TABLES_PROPERTY: ",".join(self.tables)}
        self._staged.append(st)
        try:
            _stage_retrying(self.lake, st)
        except BaseException:
            self.discard()
            raise

    def publish(self) -> dict[str, int]:
        """Publish every staged table; returns table identifier → published snapshot id."""
        out: dict[str, int] = {}
        for i, st in enumerate(self._staged):
            if i:
                failpoints.hit("between_unit_publishes")
            try:
                _commit_retrying(self.lake, st)
            except BaseException:
                if not any(s.sent for s in self._staged):
                    self.discard()
                raise
            out[_ident(st.table)] = st.snapshot_id
            log.info(
                "published %d file(s) to %s as snapshot %s",
                len(st.files),
                _ident(st.table),
                st.snapshot_id,
            )
        return out

    def discard(self) -> None:
        for st in self._staged:
            if not st.sent and not st.published:
                _discard(self.lake, st)

    def __enter__(self) -> PublishUnit:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        unfinished = exc_type is not None or not all(s.published for s in self._staged)
        if unfinished and not any(s.sent for s in self._staged):
            self.discard()


def _stage_retrying(lake, st: _Staged) -> None:
    for attempt in range(ATTEMPTS):
        try:
            _stage(st)
            return
        except AlreadyPublishedError:
            _discard(lake, st)
            raise
        except BaseException as err:
            if _is_conflict(err) and attempt + 1 < ATTEMPTS:
                _discard(lake, st, files=False)
                continue
            _discard(lake, st)
            if _is_conflict(err):
                raise ConcurrentPublishError(
                    f"{_ident(st.table)}: other writers kept changing the table; "
                    f"nothing was published ({err})"
                ) from err
            raise


def _commit_retrying(lake, st: _Staged) -> None:
    for _ in range(ATTEMPTS):
        try:
            if _commit(st):
                return
        except ConcurrentPublishError:
            pass
        # main moved under us: re-stage the same files on the new main, audit again
        _discard(lake, st, files=False)
        _stage_retrying(lake, st)
    _discard(lake, st)
    raise ConcurrentPublishError(
        f"{_ident(st.table)}: main kept moving during {ATTEMPTS} attempts; nothing was published"
    )


def publish_files(
    lake,
    table,
    files: list[str],
    *,
    properties: dict[str, str],
    audit: Callable[[object, int], None],
    replace: bool = False,
    skip_if: Callable[[object], bool] | None = None,
) -> int:
    """Add ``files`` to ``table`` through a hidden branch, audit, then publish.

    With ``replace`` the branch first drops every current row, so the published snapshot
    holds exactly ``files`` (a full rebuild; earlier snapshots keep the earlier contents).
    ``audit(table, snapshot_id)`` inspects the branch snapshot and raises to refuse;
    ``skip_if(table)`` (checked before each attempt) says the data is already on main.
    Returns the published snapshot id.
    """
    unit = PublishUnit(lake, _ident(table))
    unit.stage(table, files, properties=properties, audit=audit, replace=replace, skip_if=skip_if)
    return unit.publish()[_ident(unit._staged[0].table)]

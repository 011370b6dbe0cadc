"""Write-audit-publish: a failure at every step leaves main as it was (before the publish
commit) or published and readable (after it); nothing referenced is ever deleted."""

from __future__ import annotations

import pytest
from lakeutil import audit_rows, make_table, publish_batch, table_state, write_batch

from jutong.lake import (
    AlreadyPublishedError,
    AuditError,
    CommitStateUnknownError,
    Lake,
)
from jutong.lake.errors import FailpointError
from jutong.lake.history import published_values
from jutong.lake.repair import repair

DEAD = lambda token: False  # noqa: E731 - repair as if this test's own writes were a dead run's


@pytest.fixture()
def lake(settings):
    return Lake(settings)


def _exists(lake, uri: str) -> bool:
    from pyarrow.fs import FileType

    fs, path = lake.filesystem(uri)
    return fs.get_file_info(path).type == FileType.File


def test_publish_appends_and_leaves_no_branch(lake):
    t = make_table(lake)
    publish_batch(lake, t, "b1", 30, files=2)
    publish_batch(lake, t, "b2", 5)
    assert table_state(lake, "staging", "t") == {
        "rows": 35,
        "batches": ["b1", "b2"],
        "branches": [],
    }
    assert published_values(lake.table("staging", "t")) == ["b1", "b2"]


def test_failed_audit_publishes_nothing_and_removes_files(lake):
    t = make_table(lake)
    files = write_batch(lake, t, "b1", 10)
    with pytest.raises(AuditError, match="9 written"):
        lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 9))
    assert table_state(lake, "staging", "t")["rows"] == 0
    assert table_state(lake, "staging", "t")["branches"] == []
    assert not any(_exists(lake, f) for f in files)


def test_skip_if_already_published(lake):
    t = make_table(lake)
    publish_batch(lake, t, "b1", 10)
    with pytest.raises(AlreadyPublishedError):
        publish_batch(lake, t, "b1", 10)
    assert table_state(lake, "staging", "t")["rows"] == 10


@pytest.mark.parametrize("point", ["before_branch", "after_branch_write", "in_audit"])
def test_failure_before_the_publish_commit_changes_nothing(lake, monkeypatch, point):
    t = make_table(lake)
    publish_batch(lake, t, "b0", 3)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", f"{point}=raise")
    with pytest.raises(FailpointError):
        lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 10))
    assert table_state(lake, "staging", "t") == {"rows": 3, "batches": ["b0"], "branches": []}
    assert not any(_exists(lake, f) for f in files)


def test_failure_in_the_publish_commit_deletes_nothing_and_repair_settles_it(lake, monkeypatch):
    t = make_table(lake)
    publish_batch(lake, t, "b0", 3)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", "before_publish_commit=raise")
    with pytest.raises(CommitStateUnknownError, match="lake repair"):
        lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 10))
    monkeypatch.delenv("JUTONG_FAILPOINTS")
    # the commit may have landed: everything it would reference is still there
    assert all(_exists(lake, f) for f in files)
    assert len(table_state(lake, "staging", "t")["branches"]) == 1
    [rep] = repair(lake, ["staging.t"], live=DEAD)
    assert len(rep.removed_branches) == 1 and len(rep.orphan_files) == 1 and not rep.problems
    assert table_state(lake, "staging", "t") == {"rows": 3, "batches": ["b0"], "branches": []}
    assert not any(_exists(lake, f) for f in files)


@pytest.mark.parametrize("point", ["after_publish_commit", "in_branch_removal"])
def test_failure_after_the_publish_commit_keeps_the_published_data(lake, monkeypatch, point):
    """The data-loss bug: the clean-up after a landed commit deleted the published files."""
    t = make_table(lake)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", f"{point}=raise")
    sid = lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 10))
    monkeypatch.delenv("JUTONG_FAILPOINTS")
    assert lake.table("staging", "t").current_snapshot().snapshot_id == sid
    state = table_state(lake, "staging", "t")  # every file still readable
    assert state["rows"] == 10
    assert all(_exists(lake, f) for f in files)
    [rep] = repair(lake, ["staging.t"], live=DEAD)
    assert rep.orphan_files == [] and not rep.problems
    assert table_state(lake, "staging", "t") == {"rows": 10, "batches": ["b1"], "branches": []}


def test_repair_leaves_live_runs_alone(lake, monkeypatch):
    t = make_table(lake)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", "before_publish_commit=raise")
    with pytest.raises(CommitStateUnknownError):
        lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 10))
    [rep] = repair(lake, ["staging.t"])  # this process is alive: its branch and files stay
    assert len(rep.live_branches) == 1 and rep.removed_branches == [] and rep.orphan_files == []
    assert all(_exists(lake, f) for f in files)


def test_dry_run_changes_nothing(lake, monkeypatch):
    t = make_table(lake)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", "before_publish_commit=raise")
    with pytest.raises(CommitStateUnknownError):
        lake.publish_files(t, files, properties={}, audit=audit_rows("b1", 10))
    [rep] = repair(lake, ["staging.t"], live=DEAD, dry_run=True)
    assert len(rep.removed_branches) == 1 and len(rep.orphan_files) == 1
    assert all(_exists(lake, f) for f in files)
    assert len(table_state(lake, "staging", "t")["branches"]) == 1


def test_branch_snapshots_are_not_history(lake, monkeypatch):
    """What is "done" comes from main's ancestry only, never from a branch."""
    t = make_table(lake)
    files = write_batch(lake, t, "b1", 10)
    monkeypatch.setenv("JUTONG_FAILPOINTS", "before_publish_commit=raise")
    with pytest.raises(CommitStateUnknownError):
        lake.publish_files(
            t, files, properties={"jutong.batch_id": "b1"}, audit=audit_rows("b1", 10)
        )
    t = lake.table("staging", "t")
    assert any(
        (s.summary.additional_properties or {}).get("jutong.batch_id") == "b1"
        for s in t.snapshots()
    )
    assert published_values(t) == []
    assert Lake.snapshot_with_property(t, "jutong.batch_id", "b1") is None

"""Crash recovery and concurrent writers, with real processes: a writer killed (SIGKILL) at
every step of a publish, a unit killed between its tables, two writers at once."""

from __future__ import annotations

import json
import signal

import pytest
from lakeutil import make_table, publish_batch, run_writer, table_state

from jutong.lake import Lake
from jutong.lake.failpoints import POINTS
from jutong.lake.repair import repair

KILL_POINTS = [p for p in POINTS if p != "between_unit_publishes"]


@pytest.fixture()
def lake(settings):
    return Lake(settings)


def _orphans(lake, ident: str) -> list[str]:
    [rep] = repair(lake, [ident], dry_run=True)
    return rep.orphan_files


@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_writer_then_repair_then_rerun(lake, settings, point):
    t = make_table(lake)
    publish_batch(lake, t, "b0", 5)
    p = run_writer(settings.home, "batch", "staging", "t", "b1", "10", failpoints=f"{point}=kill")
    p.communicate(timeout=120)
    assert p.returncode == -signal.SIGKILL
    published = point in ("after_publish_commit", "in_branch_removal")
    state = table_state(lake, "staging", "t")  # readable in every case
    assert state["rows"] == (15 if published else 5)
    if not published:  # the dead writer's files are seen as its leftovers (not live work)
        assert len(_orphans(lake, "staging.t")) == 1
    [rep] = repair(lake, ["staging.t"])  # the writer is dead: its leftovers go
    assert not rep.problems
    assert table_state(lake, "staging", "t")["branches"] == []
    assert _orphans(lake, "staging.t") == []
    # the rerun completes the batch exactly once
    if published:
        p = run_writer(settings.home, "batch", "staging", "t", "b1", "10")
        out, err = p.communicate(timeout=120)
        assert p.returncode == 3 and "already published" in err and "Traceback" not in err
    else:
        publish_batch(lake, lake.table("staging", "t"), "b1", 10)
    assert table_state(lake, "staging", "t") == {
        "rows": 15,
        "batches": ["b0", "b1"],
        "branches": [],
    }


def test_unit_killed_between_publishes_is_rolled_forward(lake, settings):
    for n in ("u1", "u2", "u3"):
        make_table(lake, n)
    p = run_writer(
        settings.home,
        "unit",
        "staging",
        "u1",
        "b1",
        "u1",
        "u2",
        "u3",
        failpoints="between_unit_publishes=kill@2",
    )
    p.communicate(timeout=120)
    assert p.returncode == -signal.SIGKILL
    rows = [table_state(lake, "staging", n)["rows"] for n in ("u1", "u2", "u3")]
    assert rows == [10, 10, 0]  # the third table's write is audited and waiting
    reps = repair(lake, ["staging.u1", "staging.u2", "staging.u3"])
    assert [bool(r.rolled_forward) for r in reps] == [False, False, True]
    for n in ("u1", "u2", "u3"):
        assert table_state(lake, "staging", n) == {"rows": 10, "batches": ["b1"], "branches": []}
        assert _orphans(lake, f"staging.{n}") == []


def test_unit_killed_in_an_audit_publishes_nothing(lake, settings):
    for n in ("u1", "u2"):
        make_table(lake, n)
    p = run_writer(
        settings.home, "unit", "staging", "u1", "b1", "u1", "u2", failpoints="in_audit=kill@2"
    )
    p.communicate(timeout=120)
    assert p.returncode == -signal.SIGKILL
    reps = repair(lake, ["staging.u1", "staging.u2"])
    assert not any(r.rolled_forward for r in reps)
    for n in ("u1", "u2"):
        assert table_state(lake, "staging", n) == {"rows": 0, "batches": [], "branches": []}
        assert _orphans(lake, f"staging.{n}") == []


@pytest.mark.parametrize("same_batch", [False, True])
def test_two_writers_at_once(lake, settings, tmp_path, same_batch):
    """Both publish (different batches) or one does and the other says so in one line (the
    same batch); never a traceback, never a doubled batch."""
    make_table(lake)
    go = tmp_path / "go"
    batches = ["b1", "b1"] if same_batch else ["b1", "b2"]
    procs = [
        run_writer(settings.home, "batch", "staging", "t", b, "10", wait_for=go) for b in batches
    ]
    go.touch()
    results = [p.communicate(timeout=180) for p in procs]
    for (_out, err), p in zip(results, procs, strict=True):
        assert "Traceback" not in err, err
        assert p.returncode in (0, 3), err
        if p.returncode == 3:
            assert len(err.strip().splitlines()) == 1, err
    ok = [json.loads(out) for (out, _), p in zip(results, procs, strict=True) if p.returncode == 0]
    state = table_state(lake, "staging", "t")
    if same_batch:
        assert len(ok) == 1 and state["rows"] == 10
    else:
        assert len(ok) == 2 and state["rows"] == 20 and state["batches"] == ["b1", "b2"]
    assert state["branches"] == []


def test_consistent_snapshots_skip_a_half_published_unit(lake, settings):
    """A reader of tables published together gets one unit's snapshots, never a mix — also
    while a crash has left the newest unit half-published."""
    from jutong.lake.history import consistent_snapshots

    for n in ("u1", "u2"):
        make_table(lake, n)
    p = run_writer(settings.home, "unit", "staging", "u1", "b1", "u1", "u2")
    assert p.wait(timeout=120) == 0
    done = {n: lake.table("staging", n).current_snapshot().snapshot_id for n in ("u1", "u2")}
    p = run_writer(
        settings.home,
        "unit",
        "staging",
        "u1",
        "b2",
        "u1",
        "u2",
        failpoints="between_unit_publishes=kill@1",
    )
    p.communicate(timeout=120)
    assert p.returncode == -signal.SIGKILL
    tables = {n: lake.table("staging", n) for n in ("u1", "u2")}
    assert table_state(lake, "staging", "u1")["batches"] == ["b1", "b2"]  # half-published
    assert consistent_snapshots(tables) == done
    repair(lake, ["staging.u1", "staging.u2"])
    tables = {n: lake.table("staging", n) for n in ("u1", "u2")}
    assert consistent_snapshots(tables) == {
        n: t.current_snapshot().snapshot_id for n, t in tables.items()
    }

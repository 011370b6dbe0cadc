"""``jutong lake rollback``: an earlier snapshot made current again — a unit as a whole, the
later history tagged (repair keeps it; the rollback can be undone), the build mark cleared,
the raw zone refused, every rollback (and every denial) audited."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.cli import main
from jutong.governance.audit import events
from jutong.lake import Lake, LakeError
from jutong.lake.publish import PublishUnit
from jutong.lake.repair import repair
from jutong.lake.rollback import TAG_PREFIX, plan, rollback
from tests.lake.lakeutil import make_table, write_batch

UNIT_TABLES = ["base.t", "base.t_links"]


def _publish(lake, batch: str, rows: int) -> dict[str, int]:
    tables = [make_table(lake, "t", "base"), make_table(lake, "t_links", "base")]
    unit = PublishUnit(lake, f"build-{batch}", UNIT_TABLES)
    for t in tables:
        unit.stage(t, write_batch(lake, t, batch, rows), properties={"jutong.batch_id": batch})
    return unit.publish()


def _rows(lake, name: str) -> int:
    return lake.table("base", name).scan().to_arrow().num_rows


@pytest.fixture()
def two_builds(settings):
    lake = Lake(settings)
    first = _publish(lake, "b1", 3)
    second = _publish(lake, "b2", 5)
    return settings, lake, first, second


def test_a_unit_rolls_back_as_a_whole_audited_and_can_be_undone(two_builds, capsys):
    settings, lake, first, second = two_builds
    assert (_rows(lake, "t"), _rows(lake, "t_links")) == (8, 8)
    t = lake.table("base", "t")
    with t.transaction() as tx:
        tx.set_properties({"jutong.built_from": "fp"})
    code = main(
        ["lake", "rollback", "base.t", "--to", str(first["base.t"]), "--reason", "错误合并"]
    )
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "unit build-b1@" in out and "2 table(s) rolled back together" in out
    # both tables of the unit, each to its own snapshot of the first build
    assert (_rows(lake, "t"), _rows(lake, "t_links")) == (3, 3)
    for ident in UNIT_TABLES:
        z, n = ident.split(".")
        table = lake.table(z, n)
        assert table.current_snapshot().snapshot_id == first[ident]
        (tag,) = [r for r in table.metadata.refs if r.startswith(TAG_PREFIX)]
        assert table.metadata.refs[tag].snapshot_id == second[ident]
    assert "jutong.built_from" not in lake.table("base", "t").properties
    (ev,) = events(settings, action="lake.rollback")
    assert ev.subject == "base.t" and ev.data["reason"] == "错误合并"
    assert ev.data["moves"]["base.t_links"] == {
        "from": second["base.t_links"],
        "to": first["base.t_links"],
    }

    # repair keeps the later history: nothing expired, no file removed
    for rep in repair(lake, UNIT_TABLES, grace_s=0):
        assert rep.expired_snapshots == 0 and rep.orphan_files == [], rep
    # undo: roll forward to the tagged snapshot
    undo = rollback(
        settings, "base.t", str(second["base.t"]), reason="撤销回滚", audit=lambda d: None
    )
    assert undo.moves["base.t"] == (first["base.t"], second["base.t"])
    assert (_rows(lake, "t"), _rows(lake, "t_links")) == (8, 8)


def test_by_day_and_the_refusals(two_builds, capsys):
    settings, lake, first, second = two_builds
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    # the newest snapshot by the end of today is the current one
    assert plan(lake, "base.t", today.isoformat()).target == second["base.t"]
    with pytest.raises(LakeError, match="no snapshot of this table was committed by the end"):
        plan(lake, "base.t", (today - dt.timedelta(days=400)).isoformat())
    with pytest.raises(LakeError, match="already current"):
        rollback(settings, "base.t", str(second["base.t"]), reason="x", audit=lambda d: None)
    with pytest.raises(LakeError, match="needs its reason"):
        rollback(settings, "base.t", str(first["base.t"]), reason=" ", audit=lambda d: None)
    with pytest.raises(LakeError, match="not in this table's history"):
        plan(lake, "base.t", "12345678901234")
    with pytest.raises(LakeError, match="raw zone .* never rolled back"):
        plan(lake, "raw.t", today.isoformat())
    with pytest.raises(LakeError, match="a snapshot id or a day"):
        plan(lake, "base.t", "last week")
    # an analyst may not: refused, and the denial is audited
    code = main(
        [
            "lake",
            "rollback",
            "base.t",
            "--to",
            str(first["base.t"]),
            "--reason",
            "x",
            "--as",
            "赵分析:analyst@dashuju",
        ]
    )
    assert code == 1 and "lake.rollback" in capsys.readouterr().err
    (denied,) = events(settings, action="access.denied")
    assert denied.data["permission"] == "lake.rollback"
    assert lake.table("base", "t").current_snapshot().snapshot_id == second["base.t"]
    # --dry-run says what would move and moves nothing
    assert main(["lake", "rollback", "base.t", "--to", str(first["base.t"]), "--dry-run"]) == 0
    assert "would roll back base.t" in capsys.readouterr().out
    assert lake.table("base", "t").current_snapshot().snapshot_id == second["base.t"]

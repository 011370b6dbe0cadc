"""``jutong.orchestration.freshness``: a build's inputs fingerprinted, its outputs marked, and
a run with nothing new recognised (the DAGs then skip and emit no Asset event; their runs are
tested in test_dag_runs.py, test_ingest_dags.py and test_theme_dags.py)."""

from __future__ import annotations

import pyarrow as pa

from jutong.lake import Lake, Zone
from jutong.orchestration import freshness as F

IN = [(Zone.staging, "a"), (Zone.staging, "b")]
OUT = [(Zone.base, "out")]


def _append(lake: Lake, zone: Zone, name: str, n: int = 1) -> None:
    t = pa.table({"x": list(range(n))})
    lake.ensure_table(zone, name, t.schema).append(t)


def test_a_build_is_current_only_for_the_inputs_it_was_marked_with(settings):
    lake = Lake(settings)
    _append(lake, Zone.staging, "a")
    fp = F.fingerprint(settings, lake, IN)
    assert F.input_snapshots(lake, IN)["staging.b"] is None  # a missing input counts too
    assert not F.is_current(lake, OUT, fp)  # no output yet
    _append(lake, Zone.base, "out")
    assert not F.is_current(lake, OUT, fp)  # built, not marked (e.g. crashed after publish)
    F.mark_built(lake, OUT, fp)
    assert F.is_current(lake, OUT, fp)
    assert F.fingerprint(settings, lake, IN) == fp  # nothing changed: the same fingerprint

    _append(lake, Zone.staging, "b")  # a new input table
    assert not F.is_current(lake, OUT, F.fingerprint(settings, lake, IN))
    fp2 = F.fingerprint(settings, lake, IN)
    F.mark_built(lake, OUT, fp2)
    _append(lake, Zone.staging, "a")  # a new snapshot of an input
    assert not F.is_current(lake, OUT, F.fingerprint(settings, lake, IN))
    # marking does not add a snapshot: the output's data history is unchanged
    assert len(lake.table(Zone.base, "out").snapshots()) == 2  # create + append


def test_the_catalog_and_the_extra_inputs_are_part_of_the_fingerprint(settings):
    lake = Lake(settings)
    fp = F.fingerprint(settings, lake, IN, extra={"review": ["m1|E1|accepted"]})
    assert fp != F.fingerprint(settings, lake, IN, extra={"review": []})
    yaml_file = next(settings.catalog_dir.rglob("*.yaml"))
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fp != F.fingerprint(settings, lake, IN, extra={"review": ["m1|E1|accepted"]})


def test_every_output_must_carry_the_mark(settings):
    lake = Lake(settings)
    outs = [(Zone.theme, "m1"), (Zone.theme, "m2")]
    for _, name in outs:
        _append(lake, Zone.theme, name)
    F.mark_built(lake, outs[:1], "fp")
    assert not F.is_current(lake, outs, "fp")
    F.mark_built(lake, outs, "fp")
    assert F.is_current(lake, outs, "fp")
    assert not F.is_current(lake, [], "fp")


def test_the_runner_passes_only_whole_progress_lines(tmp_path):
    from jutong.orchestration.runner import _follow

    path = tmp_path / "dags.progress.jsonl"
    got: list[dict] = []
    assert _follow(path, 0, got.append) == 0  # no file yet
    path.write_text('{"event": "start", "index": 1}\n{"event": "end", "ind', encoding="utf-8")
    assert _follow(path, 0, got.append) == 1 and got == [{"event": "start", "index": 1}]
    path.write_text(
        '{"event": "start", "index": 1}\n{"event": "end", "index": 1}\n', encoding="utf-8"
    )
    assert _follow(path, 1, got.append) == 2 and got[-1] == {"event": "end", "index": 1}

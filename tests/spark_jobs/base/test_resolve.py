"""Entity resolution from hand-made mentions to every output table, without the lake."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog.model import EntityKind
from tests.spark_jobs.base.conftest import T1, T2

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 11, 1)
BUILT = dt.datetime(2026, 11, 1, 9, 30)


def _mention(mid, ds, dept, batch, row, at, **values):
    return {
        "mention_id": mid,
        "dataset": ds,
        "department": dept,
        "batch_id": batch,
        "row_number": row,
        "role": "person",
        "loaded_at": at,
        **values,
    }


@pytest.fixture()
def inputs(mentions, spark):
    from spark_jobs.base.steps.ids import canonical_keys

    rows = [
        _mention("h1", "gongan.huji", "gongan", "b1", 1, T1, key="K1", key_status="valid",
                 name="王伟", auth_fields=["name"]),
        _mention("s1", "renshe.shebao", "renshe", "b2", 1, T2, key="K1", key_status="valid",
                 name="王 伟", mobile="13800000001"),
        _mention("s2", "renshe.shebao", "renshe", "b2", 2, T2, key="K1", key_status="valid",
                 name="王 伟", mobile="13800000001", duplicate_of="s1"),
        # no identifier and nothing to compare: quarantined
        _mention("s3", "renshe.shebao", "renshe", "b2", 3, T2, key_status="missing"),
    ]  # fmt: skip
    df = mentions(EntityKind.person, rows)
    keymap = spark.createDataFrame(
        [("K1", "P0000000001", AS_OF)], "key string, entity_id string, first_seen date"
    )
    return df, canonical_keys(df, EntityKind.person), keymap


def _resolve(inputs, history=None):
    from spark_jobs.base.resolve import resolve_entities

    said: list[str] = []
    mentions, canon, keymap = inputs
    out = resolve_entities(
        mentions,
        canon,
        keymap,
        EntityKind.person,
        AS_OF,
        decisions={},
        history_so_far=history,
        built_at=BUILT,
        progress=said.append,
    )
    return out, said


def test_every_table_and_the_figures_the_audits_need(inputs):
    out, said = _resolve(inputs)
    assert said == ["population: 0 mentions without a usable key scored; 0 merged, 0 to review"]
    assert list(out.tables) == [
        "population",
        "population_history",
        "population_links",
        "population_conflicts",
        "population_ledger",
    ]
    assert out.appended == frozenset({"population_history"})
    assert out.expected_rows == {"population": 1}
    assert out.unbalanced == [] and out.pending == [] and out.id_column == "person_id"
    summary = dict(out.summary)
    assert summary.pop("match_model") == {
        "kind": "person",
        "candidates": 1,
        "unkeyed": 0,
        "pairs_scored": 0,
        "match_weights": {},
        "steps": {},
    }
    assert summary == {
        "exact": 2,
        "legacy_code": 0,
        "probabilistic": 0,
        "reviewed": 0,
        "legacy_key": 0,
        "clustered": 0,
        "duplicates": 1,
        "quarantined": 1,
        "quarantine_reasons": {"no identifier; no match at or above 0.99": 1},
        "entities": 1,
        "conflicts": 1,
        "ledger_balanced": True,
        "new_versions": 1,
    }
    (p,) = out.current.collect()
    assert (p["person_id"], p["resident_id"], p["name"], p["mobile"]) == (
        "P0000000001",
        "K1",
        "王伟",
        "13800000001",
    )
    assert (p["name_source"]["dataset"], p["mobile_source"]["row_number"]) == ("gongan.huji", 1)
    assert (p["_mentions"], p["_sources"]) == (2, ["gongan.huji", "renshe.shebao"])
    assert (p["_version"], p["_valid_from"], p["_built_at"]) == (1, AS_OF, BUILT)
    assert "_changed" not in out.current.columns
    assert out.tables["population_history"].columns == out.current.columns
    links = out.tables["population_links"]
    assert sorted((r["mention_id"], r["entity_id"], r["status"]) for r in links.collect()) == [
        ("h1", "P0000000001", "matched"),
        ("s1", "P0000000001", "matched"),
        ("s2", "P0000000001", "duplicate"),
        ("s3", None, "quarantined"),
    ]
    assert [(r["field"], r["golden_value"], r["other_value"]) for r in out.conflicts.collect()] == [
        ("name", "王伟", "王 伟")
    ]
    ledger = out.tables["population_ledger"].select(
        "dataset", "mentions_in", "matched", "quarantined", "duplicates", "balanced"
    )
    assert sorted(tuple(r) for r in ledger.collect()) == [
        ("gongan.huji", 1, 1, 0, 0, True),
        ("renshe.shebao", 3, 1, 1, 1, True),
    ]
    out.release()


def test_an_unchanged_rebuild_has_no_history_table(inputs):
    first, _ = _resolve(inputs)
    history = first.tables["population_history"]
    again, _ = _resolve(inputs, history=history)
    assert "population_history" not in again.tables
    assert again.summary["new_versions"] == 0
    assert [r["_version"] for r in again.current.collect()] == [1]
    first.release()
    again.release()

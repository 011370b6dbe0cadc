"""``publish_outputs``: every table of an entity build published in order by
write-audit-publish; the current table's audit refuses an unbalanced ledger."""

from __future__ import annotations

import pytest

from jutong.lake import AuditError, Lake

pytestmark = pytest.mark.spark


def _outputs(spark, *, balanced: bool):
    from spark_jobs.base.resolve import EntityOutputs

    current = spark.createDataFrame(
        [("P1", "王伟"), ("P2", "李娜")], "person_id string, name string"
    )
    ledger = spark.createDataFrame(
        [("huji", "b1", "person", 2, 2 if balanced else 1, 0, 0, balanced)],
        "dataset string, batch_id string, role string, mentions_in long, matched long, "
        "quarantined long, duplicates long, balanced boolean",
    )
    links = spark.createDataFrame(
        [("m1", "P1"), ("m2", "P2")], "mention_id string, entity_id string"
    )
    conflicts = spark.createDataFrame([("P1", "name")], "person_id string, field string")
    return EntityOutputs(
        base="population",
        id_column="person_id",
        tables={
            "population": current,
            "population_history": current,
            "population_links": links,
            "population_conflicts": conflicts,
            "population_ledger": ledger,
        },
        appended=frozenset({"population_history"}),
        expected_rows={"population": 2},
        unbalanced=[] if balanced else ledger.collect(),
        pending=[],
        summary={},
    )


def _rows(lake, name):
    return lake.table("base", name).scan().to_arrow().num_rows


def test_tables_are_replaced_and_history_appended(spark, settings):
    from spark_jobs.base.entities import publish_outputs

    lake = Lake(settings)
    props = {"jutong.as_of": "2026-11-01"}
    for _ in range(2):
        sid = publish_outputs(lake, _outputs(spark, balanced=True), properties=props)
    assert sid == lake.table("base", "population").current_snapshot().snapshot_id
    assert {
        n: _rows(lake, n)
        for n in (
            "population",
            "population_history",
            "population_links",
            "population_conflicts",
            "population_ledger",
        )
    } == {
        "population": 2,
        "population_history": 4,
        "population_links": 2,
        "population_conflicts": 1,
        "population_ledger": 1,
    }
    # the gate judges the rows as written on the branch: read back from the run's new files
    seen: list = []
    publish_outputs(
        lake,
        _outputs(spark, balanced=True),
        properties=props,
        gate=lambda df, name: seen.append((name, df.count(), df.inputFiles())),
    )
    [(name, n, files)] = seen
    assert (name, n) == ("base.population", 2)
    published = lake.table("base", "population").inspect.files().column("file_path").to_pylist()
    assert files and {f.split("/")[-1] for f in files} == {f.split("/")[-1] for f in published}


def test_unbalanced_ledger_refuses_the_publish(spark, settings):
    from spark_jobs.base.entities import publish_outputs

    lake = Lake(settings)
    props = {"jutong.as_of": "2026-11-01"}
    publish_outputs(lake, _outputs(spark, balanced=True), properties=props)
    before = lake.table("base", "population").current_snapshot().snapshot_id
    with pytest.raises(AuditError, match="ledger does not balance for huji batch b1 role person"):
        publish_outputs(lake, _outputs(spark, balanced=False), properties=props)
    assert lake.table("base", "population").current_snapshot().snapshot_id == before
    assert _rows(lake, "population_history") == 2  # nothing after the refused table

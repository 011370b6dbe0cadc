"""A base build waits while standardize has raw batches of its inputs to take (no Asset
storm on the scheduler: the standardize run's event triggers the build again)."""

from __future__ import annotations

from jutong.catalog.loader import load_catalog
from jutong.catalog.model import BaseDatabase
from jutong.orchestration.build_dags import inputs, waiting_inputs
from tests.conftest import REPO

CATALOG = load_catalog(REPO / "catalog")


def test_an_entity_base_waits_for_any_dataset_mentioning_its_kind():
    pending = {"renshe.shebao"}
    waits = waiting_inputs(None, CATALOG, BaseDatabase.population, lambda _l, e: e.id in pending)
    assert waits == ["renshe.shebao"]
    # social insurance mentions employers too; parcels do not feed the licence base
    assert waiting_inputs(None, CATALOG, BaseDatabase.legal_entity, lambda _l, e: e.id in pending)
    assert (
        waiting_inputs(None, CATALOG, BaseDatabase.e_license, lambda _l, e: e.id in pending) == []
    )


def test_nothing_pending_nothing_to_wait_for():
    for base in BaseDatabase:
        assert waiting_inputs(None, CATALOG, base, lambda _l, _e: False) == []
        every = waiting_inputs(None, CATALOG, base, lambda _l, _e: True)
        assert sorted(every) == sorted(cid for _, _, cid in inputs(CATALOG, base) if cid)


def test_a_build_waits_only_for_inputs_whose_standardize_run_is_queued_or_running():
    from jutong.orchestration.build_dags import being_standardized

    pending = {"renshe.shebao", "gongan.huji"}
    running = {"standardize__renshe__shebao": 1}  # huji's batches wait, but no run will take them
    busy = being_standardized(
        None,
        CATALOG,
        BaseDatabase.population,
        lambda _l, e: e.id in pending,
        lambda dag_id: running.get(dag_id, 0),
    )
    assert busy == ["renshe.shebao"]
    asked = []
    assert (
        being_standardized(
            None,
            CATALOG,
            BaseDatabase.population,
            lambda _l, _e: False,
            lambda dag_id: asked.append(dag_id) or 1,
        )
        == []
    )
    assert asked == []  # nothing pending: no run is looked up


def test_every_build_dag_settles_its_inputs_before_building():
    from jutong.orchestration.build_dags import build_all

    for dag in build_all().values():
        settle, build = dag.get_task("inputs_settled"), dag.get_task("build")
        assert settle.mode == "reschedule" and settle.soft_fail
        assert build.upstream_task_ids == {"inputs_settled"}
        assert [o.name for o in build.outlets]  # only the build emits the base's Asset
        assert not settle.outlets

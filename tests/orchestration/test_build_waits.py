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

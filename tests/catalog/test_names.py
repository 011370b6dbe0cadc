"""Names from one place: the base databases, their build order and every DAG id come from the
catalog model; nothing else spells them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jutong.catalog import load_catalog
from jutong.catalog.model import (
    BASES,
    ENTITY_BASES,
    BaseDatabase,
    EntityKind,
    release_dag_id,
)


def test_every_base_database_is_built_after_its_upstream():
    assert set(BASES) == set(BaseDatabase) - {BaseDatabase.none}
    assert len(set(BASES)) == len(BASES)
    for i, base in enumerate(BASES):
        assert set(base.upstream) <= set(BASES[:i]), base
    assert BaseDatabase.spatial.upstream == BaseDatabase.e_license.upstream == ENTITY_BASES
    assert BaseDatabase.population.upstream == ()


def test_entity_bases_and_kinds_agree():
    assert {k.base for k in EntityKind} == set(ENTITY_BASES)
    for kind in EntityKind:
        assert BaseDatabase(kind.base).entity_kind is kind
    assert BaseDatabase.spatial.entity_kind is None


def test_base_labels_and_dag_ids():
    assert [b.dag_id for b in BASES] == [
        "build__legal_entity",
        "build__population",
        "build__spatial",
        "build__e_license",
    ]
    assert BaseDatabase.population.label == "人口基础库"
    assert BaseDatabase.e_license.label_en == "electronic licences"
    with pytest.raises(ValueError):
        BaseDatabase.none.dag_id  # noqa: B018 - the property raises


def test_entry_dag_ids(repo_root: Path):
    huji = load_catalog(repo_root / "catalog").get("gongan.huji")
    assert huji.dag_id == "ingest__gongan__huji"
    assert huji.standardize_dag_id == "standardize__gongan__huji"
    assert release_dag_id("qiye_registrations") == "release__qiye_registrations"


def test_no_other_module_builds_a_dag_id_or_lists_the_bases(repo_root: Path):
    dag_id = re.compile(r"""f["'](ingest|standardize|build|release)__\{""")
    base_list = re.compile(
        r"""["'](legal_entity|population)["'],\s*["'](population|legal_entity)"""
    )
    found = []
    for folder in ("jutong", "dags", "plugins", "spark_jobs", "masking", "bench"):
        for path in sorted((repo_root / folder).rglob("*.py")):
            rel = path.relative_to(repo_root).as_posix()
            if rel == "jutong/catalog/model.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{rel}: {m.group()}" for m in dag_id.finditer(text)]
            found += [f"{rel}: {m.group()}" for m in base_list.finditer(text)]
    assert found == []

"""Conflicts: another department's latest value that differs from the golden one."""

from __future__ import annotations

import pytest

from jutong.catalog.model import EntityKind
from tests.spark_jobs.base.conftest import T1, T2

pytestmark = pytest.mark.spark


def test_conflicts_name_both_sources(mentions):
    from spark_jobs.base.steps.conflicts import conflicts
    from spark_jobs.base.steps.survivorship import SurvivorOrder, golden_records

    def m(mid, ds, dept, batch, row, at, **values):
        return {
            "mention_id": mid,
            "dataset": ds,
            "department": dept,
            "batch_id": batch,
            "row_number": row,
            "role": "person",
            "loaded_at": at,
            "key": "K1",
            **values,
        }

    linked = mentions(
        EntityKind.person,
        [
            m("a", "gongan.huji", "gongan", "b1", 1, T1, name="王伟", auth_fields=["name"]),
            # renshe's latest name differs: a conflict with renshe's latest row as the source
            m("b", "renshe.shebao", "renshe", "b2", 1, T1, name="王 伟"),
            m("c", "renshe.shebao", "renshe", "b3", 4, T2, name="王偉", mobile="13800000001"),
            # minzheng agrees on the name: no conflict
            m("d", "minzheng.hunyin", "minzheng", "b4", 2, T2, name="王伟"),
            # the golden mobile is renshe's own: another renshe value is no conflict
            m("e", "renshe.shebao", "renshe", "b2", 2, T1, mobile="13900000009"),
        ],
        extra=("entity_id",),
    ).fillna({"entity_id": "P1"})
    order = SurvivorOrder(linked)
    golden = golden_records(linked, EntityKind.person, order)
    out = conflicts(linked, golden, EntityKind.person, order)
    assert out.columns == [
        "person_id",
        "field",
        "golden_value",
        "golden_department",
        "golden_dataset",
        "golden_batch_id",
        "golden_row_number",
        "other_value",
        "other_department",
        "other_dataset",
        "other_batch_id",
        "other_row_number",
    ]
    assert [tuple(r) for r in out.collect()] == [
        (
            "P1",
            "name",
            "王伟",
            "gongan",
            "gongan.huji",
            "b1",
            1,
            "王偉",
            "renshe",
            "renshe.shebao",
            "b3",
            4,
        )
    ]

"""The row's own identifier type decides an identifier's kind: a 15-digit number in an
organisation's holder column (证件类型 统一社会信用代码) is a business registration number,
never a legacy resident ID, even when its digits 7–12 read as a date."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog import load_catalog
from jutong.catalog.model import EntityKind
from jutong.identifiers.checkdigits import upgrade_resident_id_15
from spark_jobs.base.mentions import mention_frame
from spark_jobs.standardize import standardize_frame

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)
LOADED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# the held-back province's case: 柳州市城达房地产开发有限公司's registration number, whose
# digits 7–12 (200219) also read as 1920-02-19
REGNO = "450200200219886"
PERSON15 = "450102900307125"  # a real 15-digit resident ID of a person holder


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def _rows(spark, entry, values: list[dict[str, str]]):
    items = [it.name for it in entry.items]
    prov = ["_department", "_dataset", "_batch_id", "_row_number", "_source_file", "_loaded_at"]
    data = [
        tuple(v.get(i, "x") for i in items)
        + (entry.department, entry.dataset, "b1", n + 1, "raw/x.csv", LOADED)
        for n, v in enumerate(values)
    ]
    schema = ", ".join(f"{c} string" for c in items + prov[:3])
    schema += ", _row_number long, _source_file string, _loaded_at timestamp"
    return spark.createDataFrame(data, schema)


@pytest.mark.parametrize("dataset", ["ziranziyuan.zongdi", "shenpi.xuke"])
def test_row_type_decides_holder_id_kind(spark, catalog, dataset):
    entry = catalog.get(dataset)
    rows = [
        {"holder_name": "柳州市城达房地产开发有限公司", "holder_id_type": "统一社会信用代码",
         "holder_id": REGNO},
        {"holder_name": "韦小宝", "holder_id_type": "居民身份证", "holder_id": PERSON15},
    ]  # fmt: skip
    out = {
        r["_row_number"]: r
        for r in standardize_frame(_rows(spark, entry, rows), entry, AS_OF).collect()
    }
    org, person = out[1], out[2]
    # the organisation's number is kept as delivered: a registration number, no birth date
    assert org["holder_id"] == REGNO and org["holder_id_raw"] is None
    assert org["holder_id_kind"] == "legacy_regno" and org["holder_id_valid"]
    assert org["holder_id_birth_date"] is None and org["holder_id_sex"] is None
    # a person's 15-digit ID is still upgraded
    assert person["holder_id"] == upgrade_resident_id_15(PERSON15)
    assert person["holder_id_kind"] == "resident_id" and person["holder_id_valid"]

    staged = standardize_frame(_rows(spark, entry, rows), entry, AS_OF)
    by_kind = {m.kind: m for m in entry.base.mentions}
    orgs = mention_frame(staged, entry, by_kind[EntityKind.org], set()).collect()
    assert [(m["legacy_kind"], m["legacy_code"], m["key"]) for m in orgs] == [
        ("legacy_regno", REGNO, None)
    ]
    people = mention_frame(staged, entry, by_kind[EntityKind.person], set()).collect()
    assert [m["key"] for m in people] == [upgrade_resident_id_15(PERSON15)]
    # no identifier the source did not contain: nothing anywhere reads 4502001920...
    invented = upgrade_resident_id_15(REGNO)
    assert invented not in {
        v for r in out.values() for v in r.asDict().values() if isinstance(v, str)
    }

"""The standardize job on real Spark and real Iceberg: tiny hand-made rows, then a synthetic
province checked against its ground truth."""

import datetime as dt
from collections import Counter

import pyarrow.parquet as pq
import pytest

from jutong.catalog import load_catalog
from jutong.identifiers.checkdigits import resident_id_check, upgrade_resident_id_15
from jutong.ingest import ingest_file
from jutong.lake import Lake
from jutong.staging_status import staging_status
from jutong.synth import generate
from spark_jobs.standardize import pending_batches, run_standardize, standardize_frame

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)
PROV = ["gongan", "huji", "b1", 0, "raw/x.csv", dt.datetime(2026, 11, 1, tzinfo=dt.UTC)]
# an ID ending in X (male, odd sequence), a wrong check digit, a 15-digit legacy ID, and an ID
# registered in 柳江县 (450221, abolished 2016)
RID_X = next(
    b + "X"
    for b in (f"45010219900307{q:03d}" for q in range(1, 999, 2))
    if resident_id_check(b) == "X"
)
RID_BAD = RID_X[:17] + ("0" if RID_X[17] != "0" else "1")
LEGACY15 = "450102900307" + "125"
ABOLISHED = "45022119900101123" + resident_id_check("45022119900101123")


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def huji_rows(spark, catalog, rows):
    entry = catalog.get("gongan.huji")
    cols = [it.name for it in entry.items] + [
        "_department",
        "_dataset",
        "_batch_id",
        "_row_number",
        "_source_file",
        "_loaded_at",
    ]
    data = [tuple(r) + tuple(PROV[:3]) + (i + 1,) + tuple(PROV[4:]) for i, r in enumerate(rows)]
    schema = (
        ", ".join(f"{c} string" for c in cols[:-3])
        + ", _row_number long, _source_file string, _loaded_at timestamp"
    )
    return entry, spark.createDataFrame(data, schema)


def test_rules_standardize_and_keep_raw_where_different(spark, catalog):
    addr = "广西壮族自治区南宁市兴宁区朝阳路1号"
    entry, df = huji_rows(
        spark,
        catalog,
        [
            [RID_X, "韦小宝", "男", "1990-03-07", "壮族", addr, "2010/5/1"],
            [RID_X.lower(), "韦 小宝", "1", "1990年3月7日", "壮族", f" {addr} ", "20100501"],
            [LEGACY15, "阿依古丽•买买提", "女", "19900307", "维吾尔族", "广西南宁市", ""],
            [RID_BAD, "黄一", "男", "1990-03-07", "汉族", "广西南宁市", "2010-05-01"],
            ["", "", "男", "1990-02-30", "汉族", "", "2010-05-01"],
            [ABOLISHED, "覃二", "男", "1990-01-01", "壮族", "广西柳州市", "2010-05-01"],
        ],
    )
    out = {r["_row_number"]: r for r in standardize_frame(df, entry, AS_OF).collect()}
    assert len(out) == 6  # nothing dropped

    r = out[1]  # clean: standardized equals raw, no _raw kept
    assert r["id_number"] == RID_X and r["id_number_raw"] is None and r["id_number_valid"]
    assert r["sex"] == "1" and r["sex_raw"] == "男"  # GB/T 2261.1 code, raw kept
    assert r["birth_date"] == dt.date(1990, 3, 7) and r["birth_date_raw"] is None
    assert r["registered_on"] == dt.date(2010, 5, 1) and r["registered_on_raw"] == "2010/5/1"
    assert r["id_number_birth_date"] == dt.date(1990, 3, 7) and r["id_number_sex"] == "1"
    assert r["domicile_address_division"] == "450102"
    assert r["_valid"] and r["_reasons"] == [] and r["_as_of"] == AS_OF

    r = out[2]  # repaired: lowercase x, spaces in name, Chinese date, padded address
    assert r["id_number"] == RID_X and r["id_number_raw"] == RID_X.lower()
    assert r["id_number_valid"] and r["id_number_repairs"] == ["lower_x"]
    assert r["name"] == "韦小宝" and r["name_raw"] == "韦 小宝"
    assert r["birth_date"] == dt.date(1990, 3, 7)
    assert r["domicile_address"] == addr
    assert r["_valid"]

    r = out[3]  # 15-digit legacy ID upgraded; minority name dot unified
    assert r["id_number"] == upgrade_resident_id_15(LEGACY15)
    assert "upgraded_15" in r["id_number_repairs"] and r["id_number_raw"] == LEGACY15
    assert r["name"] == "阿依古丽·买买提"
    assert r["registered_on"] is None and r["_valid"]  # optional and empty

    r = out[4]  # wrong check digit: kept, flagged, with its reason
    assert r["id_number"] == RID_BAD and not r["id_number_valid"]
    assert r["_reasons"] == ["id_number:bad_check"] and not r["_valid"]

    r = out[5]  # required values missing, impossible date
    assert set(r["_reasons"]) == {
        "id_number:missing",
        "name:missing",
        "domicile_address:missing",
        "birth_date:bad_date",
    }

    r = out[6]  # abolished county code (柳江县): valid with a warning, GB 11643-1999
    assert r["id_number_valid"] and r["_valid"]
    assert r["_warnings"] == ["id_number:abolished_county"]


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    generate(out, people=1500, orgs=200, seed=11)
    return out


@pytest.mark.e2e
def test_province_standardized_matches_ground_truth(
    spark, tmp_path, new_settings, province, catalog
):
    s = new_settings(tmp_path / "home")
    lake = Lake(s)
    for e in catalog:
        for f in sorted((province / "extracts" / e.department / e.dataset).iterdir()):
            ingest_file(s, e, f)
    for e in catalog:
        results = run_standardize(spark, s, e, AS_OF, lake=lake)
        assert len(results) == 1
        assert results[0].status == "passed", results[0].failures  # the quality gate
        # each step of the batch is timed (issue 19: where the time goes)
        assert list(results[0].steps) == ["standardize", "gate", "publish", "record"]
    # idempotent: nothing pending, a second run adds nothing
    assert all(pending_batches(lake, e) == [] for e in catalog)
    assert all(run_standardize(spark, s, e, AS_OF, lake=lake) == [] for e in catalog)

    status = {st.dataset: st for st in staging_status(s, catalog)}
    for e in catalog:
        raw = (
            lake.table("raw", e.table_name)
            .scan(selected_fields=("_row_number",))
            .to_arrow()
            .num_rows
        )
        staged = lake.table("staging", e.table_name).scan().to_arrow()
        quarantined = (
            lake.table("quarantine", e.table_name).scan().to_arrow().num_rows
            if lake.table_exists("quarantine", e.table_name)
            else 0
        )
        # nothing lost: staging rows + quarantined rows = raw rows
        assert staged.num_rows + quarantined == raw == status[e.id].rows
        assert sum(staged.column("_valid").to_pylist()) == status[e.id].valid_rows

    # the household register's identifiers against the generator's ground truth
    truth = pq.read_table(province / "truth" / "records.parquet").to_pylist()
    tags = {r["row_number"]: set(r["dirt"]) for r in truth if r["dataset"] == "gongan.huji"}
    staged = lake.table("staging", "gongan__huji").scan().to_arrow().to_pylist()
    got = Counter()
    want = Counter()
    for row in staged:
        t = tags[row["_row_number"]]
        if "id:missing" in t:
            want["missing"] += 1
        elif t & {"id:bad_check", "id:placeholder"}:
            want["invalid"] += 1
        elif t & {"id:legacy15", "id:lower_x", "id:fullwidth", "id:spaces"}:
            want["repaired"] += 1
        else:
            want["valid"] += 1
        if row["id_number"] is None and not (row["id_number_raw"] or "").strip():
            got["missing"] += 1
        elif not row["id_number_valid"]:
            got["invalid"] += 1
        elif row["id_number_repairs"]:
            got["repaired"] += 1
        else:
            got["valid"] += 1
    assert got == want
    assert status["gongan.huji"].identifiers["id_number"] == {
        k: want[k] for k in ("valid", "repaired", "invalid", "missing")
    }

    # exact copies point to the row they copy, as the generator recorded them (every dataset)
    all_staged = {
        e.id: lake.table("staging", e.table_name).scan().to_arrow().to_pylist() for e in catalog
    }
    want_dups = {
        (r["dataset"], r["row_number"]): r["duplicate_of_row"]
        for r in truth
        if r["duplicate_of_row"] is not None
    }
    got_dups = {
        (ds, row["_row_number"]): row["_duplicate_of"]
        for ds, rows in all_staged.items()
        for row in rows
        if row["_duplicate_of"] is not None
    }
    assert want_dups and got_dups == want_dups

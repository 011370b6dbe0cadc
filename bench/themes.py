"""Benchmark: the theme build (``dbt build`` of every mart, with its tests, and the publish)
against the same models' SQL run directly in DuckDB, on a synthetic base lake.

The lake is generated straight into the base and register tables (vectorized, no Spark, no
entity resolution): N persons, N/10 organisations, a licence per 10 persons, a parcel per 5,
1.2 insurance enrolments per person (with their links), a marriage registration per 8
persons (with both parties' links); the columns and types the base builds write.

- (a) ``jutong.themes.build.build_themes`` (docs off): the lake's snapshots exposed to
  DuckDB, ``dbt build`` (19 models, 4 unit tests, 39 data tests), every mart published to
  the theme zone by write-audit-publish — timed as a whole and per phase;
- (b) the baseline: the compiled SQL of the same 19 models (from the build's manifest) run
  in one DuckDB database over the same views — views for staging and intermediate, tables
  for the marts — with no dbt, no tests, no publish.

Prints both times, the ratio (a)/(b), and whether the marts' row counts agree. Not part of
the tests.

    .venv/bin/python bench/themes.py [--persons 1000000] [--work DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jutong.lake import Lake, Zone  # noqa: E402
from jutong.settings import load_settings  # noqa: E402

COUNTIES = ["450102", "450103", "450105", "450107", "450108", "450109", "450110", "450123"]
SCHEMES = [
    "企业职工基本养老保险",
    "城乡居民基本养老保险",
    "失业保险",
    "工伤保险",
    "职工基本医疗保险",
]
ORG_STATES = ["存续", "在业", "吊销", "注销", "迁出"]
LAND_USES = ["农村宅基地", "城镇住宅用地", "工业用地", "商服用地"]
AS_OF = dt.date(2026, 11, 1)


def _ids(prefix: str, n: int, offset: int = 0) -> pa.Array:
    return pa.array([f"{prefix}{i:010d}" for i in range(offset, offset + n)])


def _pick(rng, values, n) -> pa.Array:
    return pa.array(np.array(values, dtype=object)[rng.integers(0, len(values), n)])


def _links(dataset: str, batch: str, rows: np.ndarray, role: str, entities: pa.Array) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "mention_id": pa.array([f"{dataset}|{batch}|{r}|{role}" for r in rows]),
            "dataset": pa.array([dataset] * n),
            "batch_id": pa.array([batch] * n),
            "row_number": pa.array(rows, pa.int64()),
            "role": pa.array([role] * n),
            "entity_id": entities,
            "status": pa.array(["matched"] * n),
        }
    )


def generate(persons: int, seed: int = 7) -> dict[tuple[Zone, str], pa.Table]:
    rng = np.random.default_rng(seed)
    n_org = max(10, persons // 10)
    person_ids = _ids("P", persons)
    org_ids = _ids("E", n_org)
    birth = np.datetime64("1940-01-01") + rng.integers(0, 365 * 85, persons).astype(
        "timedelta64[D]"
    )
    population = pa.table(
        {
            "person_id": person_ids,
            "resident_id": pa.array([f"45010219{i:010d}" for i in range(persons)]),
            "name": pa.array(["某某"] * persons),
            "sex": _pick(rng, ["1", "2"], persons),
            "birth_date": pa.array(birth, pa.date32()),
            "domicile_division": _pick(rng, COUNTIES, persons),
            "residence_division": pa.array([None] * persons, pa.string()),
            "marital_status": _pick(rng, ["已婚", "未婚", "离婚"], persons),
        }
    )
    legal_entity = pa.table(
        {
            "org_id": org_ids,
            "uscc": pa.array([f"9145010{i:011d}" for i in range(n_org)]),
            "org_name": pa.array([f"公司{i}" for i in range(n_org)]),
            "org_type": _pick(rng, ["有限责任公司", "股份有限公司", "个人独资企业"], n_org),
            "registered_division": _pick(rng, COUNTIES, n_org),
            "registered_capital": pa.array(rng.integers(1, 10_000, n_org).astype(float)).cast(
                pa.decimal128(20, 4)
            ),
            "established_on": pa.array([AS_OF] * n_org, pa.date32()),
            "status": _pick(rng, ORG_STATES, n_org),
        }
    )
    divisions = pa.table(
        {
            "division_code": pa.array(COUNTIES),
            "name": pa.array([f"区{c}" for c in COUNTIES]),
            "full_name": pa.array([f"广西壮族自治区南宁市区{c}" for c in COUNTIES]),
            "level": pa.array(["county"] * len(COUNTIES)),
            "city_code": pa.array(["450100"] * len(COUNTIES)),
            "status": pa.array(["current"] * len(COUNTIES)),
        }
    )
    n_parcel = max(10, persons // 5)
    person_held = rng.random(n_parcel) < 0.8
    found = rng.random(n_parcel) < 0.98
    holder_p = rng.integers(0, persons, n_parcel)
    holder_o = rng.integers(0, n_org, n_parcel)
    parcels = pa.table(
        {
            "parcel_code": _ids("X", n_parcel),
            "division_code": _pick(rng, COUNTIES, n_parcel),
            "area_m2": pa.array(rng.random(n_parcel) * 1000).cast(pa.decimal128(20, 4)),
            "land_use": _pick(rng, LAND_USES, n_parcel),
            "holder_kind": pa.array(np.where(person_held, "person", "org")),
            "holder_person_id": pa.array(
                [
                    f"P{h:010d}" if p and f else None
                    for h, p, f in zip(holder_p, person_held, found, strict=True)
                ]
            ),
            "holder_org_id": pa.array(
                [
                    f"E{h:010d}" if not p and f else None
                    for h, p, f in zip(holder_o, person_held, found, strict=True)
                ]
            ),
            "holder_found": pa.array(found),
            "holder_reason": pa.array([None if f else "no match" for f in found], pa.string()),
        }
    )
    n_lic = max(10, persons // 10)
    lic_org = rng.integers(0, n_org, n_lic)
    licences = pa.table(
        {
            "license_no": _ids("L", n_lic),
            "license_type": _pick(rng, ["食品经营许可证", "营业性演出许可证"], n_lic),
            "holder_kind": pa.array(["org"] * n_lic),
            "holder_person_id": pa.array([None] * n_lic, pa.string()),
            "holder_org_id": pa.array([f"E{h:010d}" for h in lic_org]),
            "holder_found": pa.array([True] * n_lic),
            "issuer": pa.array(["南宁市行政审批局"] * n_lic),
            "issued_on": pa.array([dt.date(2021, 1, 1)] * n_lic, pa.date32()),
            "valid_until": pa.array(
                np.datetime64(AS_OF) + rng.integers(-400, 1500, n_lic).astype("timedelta64[D]"),
                pa.date32(),
            ),
            "status": _pick(
                rng, ["valid", "valid", "valid", "expired", "revoked", "suspended"], n_lic
            ),
        }
    )
    n_enr = int(persons * 1.2)
    enr_rows = np.arange(1, n_enr + 1)
    enr_person = rng.integers(0, persons, n_enr)
    enr_org = rng.integers(0, int(n_org * 1.05), n_enr)  # some employers not in the base
    shebao = pa.table(
        {
            "_batch_id": pa.array(["b1"] * n_enr),
            "_row_number": pa.array(enr_rows, pa.int64()),
            "_duplicate_of": pa.array([None] * n_enr, pa.int64()),
            "employer_uscc": pa.array([f"9145010{o:011d}" for o in enr_org]),
            "insurance_type": _pick(rng, SCHEMES, n_enr),
            "enrolled_on": pa.array([dt.date(2020, 1, 1)] * n_enr, pa.date32()),
        }
    )
    n_mar = max(10, persons // 8)
    mar_rows = np.arange(1, n_mar + 1)
    husbands = rng.integers(0, persons, n_mar)
    wives = rng.integers(0, persons, n_mar)
    hunyin = pa.table(
        {
            "_batch_id": pa.array(["h1"] * n_mar),
            "_row_number": pa.array(mar_rows, pa.int64()),
            "_duplicate_of": pa.array([None] * n_mar, pa.int64()),
            "certificate_no": _ids("J", n_mar),
            "registration_type": _pick(rng, ["结婚", "结婚", "离婚", "补发"], n_mar),
            "registered_on": pa.array(
                np.datetime64("2015-01-01") + rng.integers(0, 3500, n_mar).astype("timedelta64[D]"),
                pa.date32(),
            ),
            "registry_office": pa.array(["南宁市民政局"] * n_mar),
        }
    )
    person_links = pa.concat_tables(
        [
            _links(
                "renshe.shebao",
                "b1",
                enr_rows,
                "employee",
                pa.array([f"P{p:010d}" for p in enr_person]),
            ),
            _links(
                "minzheng.hunyin",
                "h1",
                mar_rows,
                "husband",
                pa.array([f"P{p:010d}" for p in husbands]),
            ),
            _links(
                "minzheng.hunyin", "h1", mar_rows, "wife", pa.array([f"P{p:010d}" for p in wives])
            ),
        ]
    )
    org_links = _links(
        "renshe.shebao",
        "b1",
        enr_rows,
        "employer",
        pa.array([f"E{o:010d}" if o < n_org else None for o in enr_org], pa.string()),
    )
    return {
        (Zone.base, "population"): population,
        (Zone.base, "population_links"): person_links,
        (Zone.base, "legal_entity"): legal_entity,
        (Zone.base, "legal_entity_links"): org_links,
        (Zone.base, "spatial_division"): divisions,
        (Zone.base, "spatial_parcel"): parcels,
        (Zone.base, "e_license"): licences,
        (Zone.staging, "renshe__shebao"): shebao,
        (Zone.staging, "minzheng__hunyin"): hunyin,
    }


def direct(lake: Lake, manifest: dict, work: Path) -> tuple[float, dict[str, int]]:
    """The models' compiled SQL in plain DuckDB over the same lake views."""
    import duckdb

    from jutong.themes.build import _prepare

    (work / "direct").mkdir(parents=True, exist_ok=True)
    db = work / "direct" / "themes.duckdb"  # the compiled SQL names its database "themes"
    db.unlink(missing_ok=True)
    _prepare(lake, db, None, lambda _m: None)
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    order, done = [], set()

    def visit(key: str) -> None:
        if key in done or key not in models:
            return
        for dep in models[key]["depends_on"]["nodes"]:
            visit(dep)
        done.add(key)
        order.append(key)

    for key in sorted(models):
        visit(key)
    con = duckdb.connect(str(db))
    start = time.perf_counter()
    rows = {}
    for key in order:
        n = models[key]
        rel = f'"{n["schema"]}"."{n["alias"]}"'
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{n["schema"]}"')
        kind = "TABLE" if n["config"]["materialized"] == "table" else "VIEW"
        con.execute(f"CREATE OR REPLACE {kind} {rel} AS {n['compiled_code']}")
        if kind == "TABLE":
            rows[n["name"]] = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
    seconds = time.perf_counter() - start
    con.close()
    return seconds, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-themes-"))
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    (home / "catalog").parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Path(__file__).resolve().parents[1] / "catalog", home / "catalog")
    settings = load_settings({"JUTONG_HOME": str(home), "JUTONG_KEY_DIR": str(home / "keys")})
    lake = Lake(settings)

    t = time.perf_counter()
    tables = generate(args.persons)
    for (zone, name), data in tables.items():
        lake.ensure_table(zone, name, data.schema).append(data)
    print(
        f"lake: {args.persons:,} persons, {sum(t.num_rows for t in tables.values()):,} rows in "
        f"{len(tables)} tables, written in {time.perf_counter() - t:.1f} s"
    )

    from jutong.themes.build import build_themes
    from jutong.themes.project import theme_dir

    marks: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    res = build_themes(
        settings,
        as_of=AS_OF,
        docs=False,
        progress=lambda m: marks.append((time.perf_counter() - t0, m)),
    )
    built = time.perf_counter() - t0
    for at, msg in marks:
        if msg.startswith("themes:"):
            print(f"  {at:7.1f} s  {msg}")
    manifest = json.loads((theme_dir(settings) / "_dbt" / "target" / "manifest.json").read_text())
    baseline, rows = direct(lake, manifest, work)
    print(f"(a) jutong themes build (dbt build + tests + publish): {built:8.1f} s")
    print(f"(b) the same models' SQL directly in DuckDB:           {baseline:8.1f} s")
    print(f"ratio (a)/(b): {built / baseline:.1f}x")
    agree = rows == res.marts
    print(f"marts' row counts agree: {agree}  {res.marts}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())

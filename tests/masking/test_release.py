"""Release build (policies, anonymity gate, residual scan, versioned folder, metadata,
checksums) and its records through the complaint state machine (GX-Open art. 16, 19, 22), on a
real Iceberg lake."""

import datetime as dt
import hashlib
import json
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml

from jutong.catalog import releases as D
from jutong.governance import releases as G
from jutong.identifiers.checkdigits import resident_id_check, uscc_check
from jutong.lake import Lake
from masking import release as R

AS_OF = dt.date(2024, 6, 1)
COUNTIES = ("450102", "450103", "450202", "450203")

POPULATION = pa.schema(
    [
        ("person_id", pa.string()),
        ("resident_id", pa.string()),
        ("name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("ethnicity", pa.string()),
        ("domicile_address", pa.string()),
        ("domicile_division", pa.string()),
        ("residence_address", pa.string()),
        ("mobile", pa.string()),
        ("marital_status", pa.string()),
        ("_built_at", pa.timestamp("us")),
    ]
)
LEGAL_ENTITY = pa.schema(
    [
        ("org_id", pa.string()),
        ("uscc", pa.string()),
        ("registration_no", pa.string()),
        ("org_code", pa.string()),
        ("org_name", pa.string()),
        ("org_type", pa.string()),
        ("legal_rep_name", pa.string()),
        ("registered_address", pa.string()),
        ("registered_division", pa.string()),
        ("registered_capital", pa.decimal128(20, 4)),
        ("established_on", pa.date32()),
        ("status", pa.string()),
        ("_built_at", pa.timestamp("us")),
    ]
)


def rid(county: str, birth: dt.date, seq: int) -> str:
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + resident_id_check(body)


def population_rows(n: int, seed: int = 1) -> pa.Table:
    from jutong.reference import full_name

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        county = COUNTIES[i % len(COUNTIES)]
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 70 * 365))
        rows.append(
            {
                "person_id": f"P{i:010d}",
                "resident_id": rid(county, birth, rng.randint(0, 999)),
                "name": rng.choice("黄李韦陈") + rng.choice("伟芳娜秀") + rng.choice(["", "英"]),
                "sex": rng.choice("12"),
                "birth_date": birth,
                "ethnicity": rng.choice(["汉族", "壮族"]),
                "domicile_address": full_name(county) + f"民主路{i}号",
                "domicile_division": county,
                "residence_address": full_name(county) + f"友爱路{i}号",
                "mobile": f"138{rng.randint(0, 99999999):08d}",
                "marital_status": "已婚",
                "_built_at": dt.datetime(2024, 6, 1),
            }
        )
    return pa.Table.from_pylist(rows, schema=POPULATION)


def org_rows(n: int, seed: int = 2, *, individual: tuple[int, ...] = ()) -> pa.Table:
    """``n`` organisations; rows in ``individual`` are individual businesses (``92…``); every
    third has a 15-digit registration number that also looks like a legacy resident ID."""
    from jutong.identifiers.checkdigits import regno_check
    from jutong.reference import full_name

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        county = COUNTIES[i % len(COUNTIES)]
        body = f"9{2 if i in individual else 1}45{county[2:]}MA5K{i:05d}"[:17]
        regno = f"{county}851203{i % 100:02d}"
        rows.append(
            {
                "org_id": f"E{i:010d}",
                "uscc": body + uscc_check(body),
                "registration_no": regno + regno_check(regno) if i % 3 == 0 else None,
                "org_code": None,
                "org_name": f"南宁市{i}号商贸有限公司",
                "org_type": "有限责任公司",
                "legal_rep_name": rng.choice("黄李欧") + ("阳" if i % 5 == 0 else "") + "伟强",
                "registered_address": full_name(county) + f"民族大道{i}号",
                "registered_division": county,
                "registered_capital": Decimal("100.5000"),
                "established_on": dt.date(2010, 1, 1) + dt.timedelta(days=i),
                "status": "存续",
                "_built_at": dt.datetime(2024, 6, 1),
            }
        )
    return pa.Table.from_pylist(rows, schema=LEGAL_ENTITY)


def load_base(settings, name: str, table: pa.Table) -> None:
    lake = Lake(settings)
    lake.ensure_table("base", name, table.schema).append(table)


def population_mart(people: pa.Table, as_of: dt.date) -> pa.Table:
    """What the dbt mart ``theme.pop_registered_by_county_sex_age`` holds for these persons
    on ``as_of`` — the population release's source. tests/themes/test_build.py checks that
    dbt's mart equals this computation on the themes' tiny lake."""
    from jutong.reference import full_name, load_divisions
    from masking import columns as C

    divs = load_divisions()
    keyed = pa.table(
        {
            "county_code": pc.fill_null(people.column("domicile_division"), "unknown"),
            "sex_code": pc.fill_null(people.column("sex"), "unknown"),
            "age_band": pc.fill_null(C.age_band(people.column("birth_date"), as_of), "unknown"),
        }
    )
    counts = keyed.group_by(["county_code", "sex_code", "age_band"]).aggregate([([], "count_all")])
    codes = counts.column("county_code").to_pylist()
    return pa.table(
        {
            "county_code": counts.column("county_code"),
            "county_name": pa.array([full_name(c) if c in divs else None for c in codes]),
            "sex_code": counts.column("sex_code"),
            "age_band": counts.column("age_band"),
            "residents": counts.column("count_all").cast(pa.int64()),
            "counted_on": pa.array([as_of] * counts.num_rows, pa.date32()),
        }
    )


def load_population(settings, people: pa.Table, as_of: dt.date = AS_OF) -> None:
    """The population base and the theme mart built from it (as ``build__themes`` would)."""
    load_base(settings, "population", people)
    mart = population_mart(people, as_of)
    Lake(settings).ensure_table("theme", "pop_registered_by_county_sex_age", mart.schema).append(
        mart
    )


@pytest.fixture()
def lake(settings):
    load_population(settings, population_rows(240))
    load_base(settings, "legal_entity", org_rows(40))
    return settings


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_records_release_folder_metadata_checksums_and_masking(lake):
    res = R.build_release(lake, "qiye_registrations", as_of=AS_OF, actor="tester")
    assert res.version == 1 and res.rows == 40
    folder = res.path
    assert folder == lake.lake_root / "releases" / "qiye_registrations" / "v1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "data.csv",
        "data.parquet",
        "metadata.json",
        "report.json",
    ]
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    for name, digest in sums.items():
        assert sha256(folder / name) == digest
    data = pq.read_table(folder / "data.parquet")
    csv = pacsv.read_csv(folder / "data.csv")
    assert csv.num_rows == data.num_rows == 40
    assert "legal_rep_id_number" not in data.column_names
    names = data.column("legal_rep_name").to_pylist()
    assert all(n.endswith("*") for n in names)
    assert "欧阳**" in names  # compound surname kept whole
    assert data.column("uscc").to_pylist() == org_rows(40).column("uscc").to_pylist()
    assert "民族大道" in (folder / "data.csv").read_text(encoding="utf-8")
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    art16 = meta["gx_open_art16"]
    for key in (
        "domain",
        "summary",
        "data_items",
        "format",
        "open_type",
        "open_conditions",
        "update_frequency",
        "provider",
    ):
        assert art16[key], key
    assert art16["provider"] == "自治区市场监督管理局"
    assert art16["open_type"] == "unconditional"
    dist = {d["dcat:downloadURL"]: d for d in meta["dcat:distribution"]}
    assert dist["data.csv"]["spdx:checksum"]["spdx:checksumValue"] == sums["data.csv"]
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["residual_scan"]["passed"] is True
    cols = {c["column"]: c for c in report["masking"]["columns"]}
    assert cols["legal_rep_name"]["action"] == "mask"
    assert cols["legal_rep_name"]["rows_changed"] == 40
    assert G.is_served(lake, "qiye_registrations")
    assert G.serve_path(lake, "qiye_registrations") == folder / "data.csv"


def test_second_build_is_a_new_version_only_when_data_changed(lake):
    first = R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    again = R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    assert again.unchanged and again.version == first.version
    Lake(lake).table("base", "legal_entity").append(org_rows(45).slice(40))
    third = R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    assert third.version == 2 and third.rows == 45
    assert (first.path / "data.csv").is_file()  # earlier versions stay


def test_aggregate_release_suppresses_small_cells(lake):
    res = R.build_release(lake, "population_by_county_sex_age", as_of=AS_OF)
    data = pq.read_table(res.path / "data.parquet").to_pandas()
    assert list(data.columns) == ["county_code", "county", "sex", "age_band", "count", "suppressed"]
    assert set(data["county_code"]) == set(COUNTIES)
    assert set(data["sex"]) == {"男", "女"}
    shown = data["count"].dropna()
    assert not ((shown > 0) & (shown < 5)).any()
    assert data["suppressed"].any()
    # no line (fixing all dimensions but one) with exactly one suppressed cell
    for others in (["sex", "age_band"], ["county_code", "age_band"], ["county_code", "sex"]):
        per_line = data.groupby(others)["suppressed"].sum()
        assert not (per_line == 1).any()
    assert data["count"].sum() <= 240
    report = json.loads((res.path / "report.json").read_text(encoding="utf-8"))
    assert report["anonymity"]["primary"] > 0
    assert report["anonymity"]["secondary"] >= 0
    meta = json.loads((res.path / "metadata.json").read_text(encoding="utf-8"))
    assert meta["gx_open_art16"]["provider"] == "自治区公安厅"
    assert "小于5" in meta["gx_open_art16"]["open_conditions"]


def _from_base(settings) -> D.ReleaseDefinition:
    """The population release as it was before the population theme: rows of base.population
    counted, age bands derived on the release date."""
    body = yaml.safe_load(
        (D.releases_dir(settings) / "population_by_county_sex_age.yaml").read_text("utf-8")
    )
    body["id"] = "population_from_base"
    body["source"] = {"zone": "base", "table": "population"}
    body["columns"] = [
        {"name": "county_code", "source": "domicile_division", "derive": "division_code"},
        {"name": "county", "source": "domicile_division", "derive": "division_name"},
        {"name": "sex", "source": "sex", "derive": "sex_label"},
        {"name": "age_band", "source": "birth_date", "derive": "age_band"},
    ]
    del body["aggregate"]["weight"]
    return D.ReleaseDefinition.model_validate(body)


def test_the_mart_based_population_release_equals_counting_the_base(lake):
    mart = R.build_release(lake, "population_by_county_sex_age", as_of=AS_OF)
    base = R.build_release(lake, "population_from_base", as_of=AS_OF, definition=_from_base(lake))
    a = pq.read_table(mart.path / "data.parquet")
    b = pq.read_table(base.path / "data.parquet")
    assert a.num_rows == b.num_rows > 20
    assert a.equals(b)
    report = json.loads((mart.path / "report.json").read_text(encoding="utf-8"))
    assert report["source"] == "theme.pop_registered_by_county_sex_age"
    assert report["masking"]["summed"] == "residents"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (pa.array(["3", "4"]), "is string, not a count"),
        (pa.array([3, None], pa.int64()), "has empty or negative counts"),
        (pa.array([3, -1], pa.int64()), "has empty or negative counts"),
    ],
)
def test_a_weight_that_is_no_count_is_refused(settings, values, message):
    mart = pa.table(
        {
            "county_code": pa.array(["450102", "450103"]),
            "sex_code": pa.array(["1", "2"]),
            "age_band": pa.array(["30-34", "35-39"]),
            "residents": values,
        }
    )
    Lake(settings).ensure_table("theme", "pop_registered_by_county_sex_age", mart.schema).append(
        mart
    )
    with pytest.raises(D.ReleaseError, match=f"aggregate.weight 'residents' {message}"):
        R.build_release(settings, "population_by_county_sex_age", as_of=AS_OF)


def write_definition(settings, body: dict) -> None:
    path = D.releases_dir(settings) / f"{body['id']}.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")


def test_anonymity_gate_refuses_a_release_under_k(lake):
    # person-level open release of the population with exact birth dates as a quasi-identifier
    # that may not be generalized: no class reaches k, nothing is published
    write_definition(
        lake,
        {
            "id": "people_under_k",
            "title": "测试",
            "catalog_entry": "shichang.qiye",  # an openable entry, to reach the gate
            "source": {"zone": "base", "table": "population"},
            "kind": "records",
            "columns": [
                {"name": "birth_date", "policy": "keep", "reason": "test"},
                {"name": "domicile_division", "policy": "keep", "reason": "test"},
            ],
            "quasi_identifiers": [
                {"column": "birth_date", "kind": "category", "max_level": 0},
                {"column": "domicile_division", "kind": "division", "max_level": 0},
            ],
            "k": 5,
        },
    )
    with pytest.raises(G.ReleaseRefused, match=r"anonymity gate.*k=5") as err:
        R.build_release(lake, "people_under_k", as_of=AS_OF)
    assert err.value.report["anonymity"]["passed"] is False
    assert not (lake.lake_root / "releases" / "people_under_k").exists() or not any(
        p.name.startswith("v") for p in (lake.lake_root / "releases" / "people_under_k").iterdir()
    )
    assert G.status(lake, "people_under_k") is None


def test_generalization_reaches_k_with_a_report(lake):
    write_definition(
        lake,
        {
            "id": "people_generalized",
            "title": "测试",
            "catalog_entry": "shichang.qiye",
            "source": {"zone": "base", "table": "population"},
            "kind": "records",
            "columns": [
                {"name": "birth_date", "policy": "birth_5y_band", "reason": "qi"},
                {"name": "domicile_division", "policy": "keep", "reason": "qi"},
                {"name": "sex", "policy": "keep", "reason": "qi"},
            ],
            "quasi_identifiers": [
                {"column": "birth_date", "kind": "band"},
                {"column": "domicile_division", "kind": "division"},
                {"column": "sex"},
            ],
            "k": 5,
        },
    )
    res = R.build_release(lake, "people_generalized", as_of=AS_OF)
    data = pq.read_table(res.path / "data.parquet")
    sizes = data.group_by(data.column_names).aggregate([([], "count_all")])
    assert min(sizes.column("count_all").to_pylist()) >= 5
    anon = res.report["anonymity"]
    assert anon["smallest_class"] >= 5 and anon["rows_in"] == 240
    assert anon["rows_out"] + anon["rows_suppressed"] == 240
    assert anon["steps"]


def test_residual_scan_refuses_a_leaked_id(lake):
    leaked = rid("450102", dt.date(1990, 1, 1), 123)
    orgs = org_rows(40)
    names = orgs.column("org_name").to_pylist()
    names[7] = f"法定代表人身份证{leaked}的公司"
    orgs = orgs.set_column(orgs.column_names.index("org_name"), "org_name", pa.array(names))
    Lake(lake).table("base", "legal_entity").overwrite(orgs)
    with pytest.raises(
        G.ReleaseRefused, match=r"residual PII scan.*org_name.*row 8.*CN_RESIDENT_ID"
    ):
        R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    root = lake.lake_root / "releases" / "qiye_registrations"
    assert not root.exists() or not list(root.iterdir())
    assert not G.is_served(lake, "qiye_registrations")


def test_registration_numbers_pass_and_individual_businesses_are_dropped(settings):
    load_base(settings, "legal_entity", org_rows(40, individual=(3, 17)))
    res = R.build_release(settings, "qiye_registrations", as_of=AS_OF)
    data = pq.read_table(res.path / "data.parquet")
    assert data.num_rows == 38
    assert not any(c.startswith("92") for c in data.column("uscc").to_pylist())
    assert sum(1 for r in data.column("registration_no").to_pylist() if r) == 13
    section = res.report["masking"]["individual_businesses"]
    assert section["rows_dropped"] == 2 and section["columns"] == ["uscc", "registration_no"]
    scan = res.report["residual_scan"]
    assert scan["passed"] and scan["columns_by_kind"]["registration_no"] == "uscc"


def test_formula_cells_show_as_text_in_the_release_csv(settings):
    orgs = org_rows(20)
    names = orgs.column("org_name").to_pylist()
    names[4] = '=HYPERLINK("http://evil","点我")'
    orgs = orgs.set_column(orgs.column_names.index("org_name"), "org_name", pa.array(names))
    load_base(settings, "legal_entity", orgs)
    res = R.build_release(settings, "qiye_registrations", as_of=AS_OF)
    csv_names = pacsv.read_csv(res.path / "data.csv").column("org_name").to_pylist()
    assert csv_names[4] == "'" + names[4]
    assert pq.read_table(res.path / "data.parquet").column("org_name").to_pylist()[4] == names[4]
    assert res.report["formula_cells_neutralized"] == 1
    meta = json.loads((res.path / "metadata.json").read_text(encoding="utf-8"))
    assert "OWASP" in meta["gx_open_art16"]["csv_formula_cells"]
    (csv_dist,) = [x for x in meta["dcat:distribution"] if x["dct:title"] == "data.csv"]
    assert "apostrophe" in csv_dist["jutong:formulaCells"]


def test_suspend_withdraw_restore_and_serving(lake):
    R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    G.suspend(lake, "qiye_registrations", "投诉：疑似泄露个人隐私", actor="open-data staff")
    assert not G.is_served(lake, "qiye_registrations")
    with pytest.raises(G.ReleaseNotServed, match="suspended.*投诉"):
        G.serve_path(lake, "qiye_registrations")
    with pytest.raises(D.ReleaseError, match="suspended"):
        R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    G.restore(lake, "qiye_registrations", "核实无隐私问题", actor="reviewer")
    assert G.serve_path(lake, "qiye_registrations").is_file()
    G.suspend(lake, "qiye_registrations", "再次投诉")
    G.withdraw(lake, "qiye_registrations", "核实属实，撤回")
    with pytest.raises(G.ReleaseNotServed, match="withdrawn"):
        G.serve_path(lake, "qiye_registrations")
    with pytest.raises(D.ReleaseError, match="cannot restore.*withdrawn"):
        G.restore(lake, "qiye_registrations", "x")
    with pytest.raises(D.ReleaseError, match="reason is required"):
        G.suspend(lake, "qiye_registrations", "  ")
    ev = G.events(lake, "qiye_registrations")
    assert [e["action"] for e in ev] == ["publish", "suspend", "restore", "suspend", "withdraw"]
    assert ev[1]["actor"] == "open-data staff" and ev[1]["reason"].startswith("投诉")
    assert all(isinstance(e["at"], dt.datetime) for e in ev)
    # reopened after processing: a new build is served, the withdrawn version is not
    res = R.build_release(lake, "qiye_registrations", as_of=AS_OF)
    assert res.version == 2 and G.is_served(lake, "qiye_registrations")
    assert G.events(lake, "qiye_registrations")[-1]["action"] == "reopen"
    with pytest.raises(G.ReleaseNotServed, match="version 1"):
        G.serve_path(lake, "qiye_registrations", version=1)


def test_missing_source_table_is_a_clear_error(settings):
    with pytest.raises(D.ReleaseError, match=r"base.legal_entity does not exist"):
        R.build_release(settings, "qiye_registrations", as_of=AS_OF)


def test_demo_releases_and_summary(lake):
    results = R.demo_releases(lake, as_of=AS_OF)
    assert [r.release_id for r in results] == ["qiye_registrations", "population_by_county_sex_age"]
    lines = R.demo_summary(lake)
    assert any(line.startswith("qiye_registrations v1: 40 rows, published") for line in lines)
    assert all(str(r.path) in "\n".join(lines) for r in results)

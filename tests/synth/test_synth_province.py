"""The synthetic province: extracts as departments send them, and ground truth that explains them.

One small province is generated per module (module-scoped fixtures); each test checks one
property of it against the catalog, the truth files or an independent oracle (python-stdnum).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
import yaml
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

from jutong.identifiers.checkdigits import upgrade_resident_id_15
from jutong.reference import full_name, load_divisions
from jutong.synth import DirtRates, generate
from jutong.synth.geo import CITIES

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
AS_OF = dt.date(2026, 11, 1)
DATASETS = (
    "gongan.huji",
    "minzheng.hunyin",
    "renshe.shebao",
    "shichang.qiye",
    "ziranziyuan.zongdi",
    "shenpi.xuke",
)
AUTHORITATIVE = {"gongan.huji", "shichang.qiye"}
# (dataset, role) -> (ID column, name column)
ROLE_COLUMNS = {
    ("gongan.huji", "person"): ("公民身份号码", "姓名"),
    ("minzheng.hunyin", "husband"): ("男方身份证号", "男方姓名"),
    ("minzheng.hunyin", "wife"): ("女方身份证号", "女方姓名"),
    ("renshe.shebao", "employee"): ("sfzh", "xm"),
    ("renshe.shebao", "employer"): ("dwtyxydm", "dwmc"),
    ("shichang.qiye", "org"): ("统一社会信用代码", "企业名称"),
    ("shichang.qiye", "legal_rep"): ("法定代表人证件号码", "法定代表人"),
    ("ziranziyuan.zongdi", "holder"): ("证件号", "权利人"),
    ("shenpi.xuke", "holder"): ("证件号码", "持证主体"),
}
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
FULLWIDTH_BACK = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def catalog_entry(ds: str) -> dict:
    dept, name = ds.split(".")
    return yaml.safe_load((CATALOG / dept / f"{name}.yaml").read_text(encoding="utf-8"))


def normalise_id(v: str) -> str:
    return v.translate(FULLWIDTH_BACK).replace(" ", "").replace("-", "").upper()


@dataclass
class Province:
    out: Path
    result: object
    records: list[dict]
    persons: dict[str, dict]
    orgs: dict[str, dict]
    extracts: dict[str, tuple[list[str], list[list]]]  # dataset -> (header, rows)

    def row(self, ds: str, row_number: int) -> dict:
        header, rows = self.extracts[ds]
        return dict(zip(header, rows[row_number - 1], strict=True))


def read_extract(ds: str, path: Path) -> tuple[list[str], list[list]]:
    entry = catalog_entry(ds)
    fmt = entry["extract"]["format"]
    if fmt == "csv":
        with open(path, encoding=entry["extract"]["encoding"], newline="") as f:
            rows = list(csv.reader(f))
        return rows[0], rows[1:]
    if fmt == "jsonl":
        header: list[str] = [i["source_column"] for i in entry["items"]]
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                assert list(obj) == header
                rows.append(["" if v is None else v for v in obj.values()])
        return header, rows
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[entry["extract"]["sheet"]]
    values = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    wb.close()
    return [str(v) for v in values[0]], values[1:]


def load_province(out: Path, result) -> Province:
    records = pq.read_table(out / "truth" / "records.parquet").to_pylist()
    persons = {
        r["entity_id"]: r for r in pq.read_table(out / "truth" / "persons.parquet").to_pylist()
    }
    orgs = {r["entity_id"]: r for r in pq.read_table(out / "truth" / "orgs.parquet").to_pylist()}
    extracts = {ds: read_extract(ds, result.extracts[ds]) for ds in DATASETS}
    return Province(out, result, records, persons, orgs, extracts)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    out = tmp_path_factory.mktemp("province")
    # chunk_size below the population exercises the cross-chunk paths (unique IDs, legal reps)
    result = generate(out, people=2000, orgs=300, seed=7, chunk_size=800)
    return load_province(out, result)


CUSTOM_RATES = DirtRates(
    dup=0.05,
    id_legacy15=0.2,
    id_lower_x=0.5,
    id_fullwidth=0.1,
    id_spaces=0.1,
    id_bad_check=0.05,
    id_missing=0.05,
    id_placeholder=0.05,
    id_org_legacy=0.1,
    name_spaces=0.1,
    name_variant=0.1,
    address_old=0.2,
    value_missing=0.2,
    date_format=0.3,
    mobile_format=0.1,
    authoritative_factor=0.5,
)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Province:
    out = tmp_path_factory.mktemp("dirty")
    result = generate(out, people=2000, orgs=300, seed=11, rates=CUSTOM_RATES)
    return load_province(out, result)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Province:
    out = tmp_path_factory.mktemp("clean")
    zero = DirtRates().with_overrides(**{k: 0.0 for k in DirtRates.names()})
    result = generate(out, people=800, orgs=120, seed=3, rates=zero)
    return load_province(out, result)


# --- layout, headers, encodings --------------------------------------------------------------


def test_six_extracts_in_the_documented_layout(province: Province) -> None:
    files = sorted(
        p.relative_to(province.out).as_posix()
        for p in (province.out / "extracts").rglob("*")
        if p.is_file()
    )
    assert files == sorted(
        [
            "extracts/gongan/huji/huji_20261101.csv",
            "extracts/minzheng/hunyin/hunyin_20261101.xlsx",
            "extracts/renshe/shebao/shebao_20261101.jsonl",
            "extracts/shichang/qiye/qiye_20261101.csv",
            "extracts/ziranziyuan/zongdi/zongdi_20261101.csv",
            "extracts/shenpi/xuke/xuke_20261101.csv",
        ]
    )
    for name in ("records.parquet", "persons.parquet", "orgs.parquet"):
        assert (province.out / "truth" / name).is_file()
    assert not list((province.out / "extracts").rglob("*.parquet"))


@pytest.mark.parametrize("ds", DATASETS)
def test_header_is_the_catalog_source_columns(province: Province, ds: str) -> None:
    header, rows = province.extracts[ds]
    assert header == [i["source_column"] for i in catalog_entry(ds)["items"]]
    assert rows and all(len(r) == len(header) for r in rows)


def test_huji_is_gbk_and_the_others_utf8(province: Province) -> None:
    raw = province.result.extracts["gongan.huji"].read_bytes()
    text = raw.decode("gbk")  # strict
    assert text.startswith("公民身份号码,")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    for ds in ("shichang.qiye", "ziranziyuan.zongdi", "shenpi.xuke", "renshe.shebao"):
        province.result.extracts[ds].read_bytes().decode("utf-8")


def test_xlsx_sheet_and_jsonl_lines(province: Province) -> None:
    wb = openpyxl.load_workbook(province.result.extracts["minzheng.hunyin"], read_only=True)
    assert wb.sheetnames == [catalog_entry("minzheng.hunyin")["extract"]["sheet"]]
    wb.close()
    lines = province.result.extracts["renshe.shebao"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == province.result.rows["renshe.shebao"]
    assert all(isinstance(json.loads(line), dict) for line in lines)


# --- values respect the contract ---------------------------------------------------------------


@pytest.mark.parametrize("ds", DATASETS)
def test_allowed_values_and_decimals(province: Province, ds: str) -> None:
    header, rows = province.extracts[ds]
    for item in catalog_entry(ds)["items"]:
        col = header.index(item["source_column"])
        values = [r[col] for r in rows]
        if item.get("allowed_values"):
            assert set(values) - {""} <= set(item["allowed_values"]), item["name"]
            assert "" not in values or not item.get("required"), item["name"]
        if item.get("check_type"):
            for v in values:
                assert v == "" or math.isfinite(float(v)), (item["name"], v)
            assert any(v != "" for v in values)


def _parse_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, int):  # Excel serial number
        assert 1 < v < 80000
        return dt.date(1899, 12, 30) + dt.timedelta(days=v)
    for pat in DATE_PATTERNS:
        m = pat.match(v)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise AssertionError(f"date {v!r} in no documented format")


@pytest.mark.parametrize("ds", DATASETS)
def test_every_date_is_in_a_documented_format(province: Province, ds: str) -> None:
    header, rows = province.extracts[ds]
    seen = Counter()
    for item in catalog_entry(ds)["items"]:
        if item["type"] != "date":
            continue
        col = header.index(item["source_column"])
        for r in rows:
            v = r[col]
            if v == "":
                assert not item.get("required"), item["name"]
                continue
            d = _parse_date(v)
            assert dt.date(1900, 1, 1) < d
            if item["name"] != "valid_until":
                assert d <= AS_OF
            seen["iso" if isinstance(v, str) and DATE_PATTERNS[0].match(v) else "other"] += 1
    if any(i["type"] == "date" for i in catalog_entry(ds)["items"]):
        assert seen["iso"] > seen["other"] > 0


def test_xlsx_has_date_cells_and_serials(dirty: Province) -> None:
    header, rows = dirty.extracts["minzheng.hunyin"]
    col = header.index("登记日期")
    kinds = Counter(type(r[col]).__name__ for r in rows)
    assert kinds["datetime"] > 0 and kinds["int"] > 0 and kinds["str"] > 0


# --- ground truth ------------------------------------------------------------------------------


def test_every_row_has_truth_and_every_truth_row_exists(province: Province) -> None:
    by_ds: dict[str, set[int]] = defaultdict(set)
    for r in province.records:
        by_ds[r["dataset"]].add(r["row_number"])
        assert (
            r["file"]
            == province.result.extracts[r["dataset"]]
            .relative_to(province.out / "extracts")
            .as_posix()
        )
    for ds in DATASETS:
        n = len(province.extracts[ds][1])
        assert province.result.rows[ds] == n
        assert by_ds[ds] == set(range(1, n + 1)), ds


def test_roles_per_dataset(province: Province) -> None:
    roles = defaultdict(set)
    for r in province.records:
        roles[r["dataset"]].add((r["role"], r["entity_kind"]))
    assert roles["gongan.huji"] == {("person", "person")}
    assert roles["minzheng.hunyin"] == {("husband", "person"), ("wife", "person")}
    assert roles["renshe.shebao"] == {("employee", "person"), ("employer", "org")}
    assert roles["shichang.qiye"] == {("org", "org"), ("legal_rep", "person")}
    assert roles["ziranziyuan.zongdi"] == {("holder", "person"), ("holder", "org")}
    assert roles["shenpi.xuke"] == {("holder", "person"), ("holder", "org")}


def test_entities_exist_and_true_keys_match(province: Province) -> None:
    for r in province.records:
        if r["entity_kind"] == "person":
            assert r["true_key"] == province.persons[r["entity_id"]]["resident_id"]
        else:
            assert r["true_key"] == province.orgs[r["entity_id"]]["uscc"]
    assert (
        len({p["resident_id"] for p in province.persons.values()}) == len(province.persons) == 2000
    )
    assert len({o["uscc"] for o in province.orgs.values()}) == len(province.orgs) == 300
    assert len({o["name"] for o in province.orgs.values()}) == 300


def test_values_without_id_dirt_equal_the_true_key(province: Province) -> None:
    checked = 0
    for r in province.records:
        id_col, name_col = ROLE_COLUMNS[(r["dataset"], r["role"])]
        row = province.row(r["dataset"], r["row_number"])
        if not any(t.startswith("id:") for t in r["dirt"]):
            assert row[id_col] == r["true_key"], r
            checked += 1
        if not any(t.startswith("name:") for t in r["dirt"]):
            truth = province.persons if r["entity_kind"] == "person" else province.orgs
            expected = truth[r["entity_id"]]["name"]
            assert row[name_col] == expected or (
                "value:missing" in r["dirt"] and row[name_col] == ""
            )
    assert checked > 0.9 * len(province.records)


def test_check_characters_valid_where_no_id_dirt(province: Province) -> None:
    """python-stdnum as independent oracle of the check characters."""
    for r in province.records:
        if any(t.startswith("id:") for t in r["dirt"]):
            continue
        v = province.row(r["dataset"], r["row_number"])[ROLE_COLUMNS[(r["dataset"], r["role"])][0]]
        if r["entity_kind"] == "person":
            assert len(v) == 18 and ric.calc_check_digit(v) == v[-1], v
        else:
            assert len(v) == 18 and uscc.calc_check_digit(v[:17]) == v[-1], v


def _orgcode_oracle(code: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code[:8], weights, strict=True)
    )
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def test_identifier_structure(province: Province) -> None:
    divisions = load_divisions()
    for p in province.persons.values():
        rid = p["resident_id"]
        assert ric.calc_check_digit(rid) == rid[-1]
        assert rid[:6] == p["id_division"] and rid[:6] in divisions
        assert rid[6:14] == p["birth_date"].strftime("%Y%m%d")
        assert int(rid[16]) % 2 == (1 if p["sex"] == "男" else 0)
        age = (AS_OF - p["birth_date"]).days / 365.25
        assert 0 <= age < 96.1
        if p["legacy_id15"]:
            assert upgrade_resident_id_15(p["legacy_id15"]) == rid
    categories = Counter()
    for o in province.orgs.values():
        code = o["uscc"]
        assert uscc.calc_check_digit(code[:17]) == code[-1]
        assert code[2:8] == o["division_code"] and code[8:17] == o["org_code"]
        assert _orgcode_oracle(o["org_code"]) == o["org_code"][8]
        if o["registration_no"]:
            assert len(o["registration_no"]) == 15 and mod_11_10.is_valid(o["registration_no"])
        categories[code[:2]] += 1
    assert categories["91"] > 150
    assert {c[0] for c in categories} >= {"9", "1"}


def test_abolished_codes_and_migrants(province: Province) -> None:
    divisions = load_divisions()
    abolished = [
        p for p in province.persons.values() if divisions[p["id_division"]].status == "abolished"
    ]
    assert abolished
    for p in abolished:
        year = int(re.search(r"\d{4}", divisions[p["id_division"]].note).group())
        assert p["birth_date"].year < year
    migrants = [p for p in province.persons.values() if p["migrant"]]
    assert 0.01 < len(migrants) / len(province.persons) < 0.06
    assert all(not p["id_division"].startswith("45") and not p["in_huji"] for p in migrants)
    huji_ids = {r["entity_id"] for r in province.records if r["dataset"] == "gongan.huji"}
    assert huji_ids == {k for k, p in province.persons.items() if p["in_huji"]}
    seen_elsewhere = {r["entity_id"] for r in province.records if r["dataset"] != "gongan.huji"}
    assert seen_elsewhere & {k for k, p in province.persons.items() if p["migrant"]}


def test_bad_check_fails_and_legacy15_upgrades(dirty: Province) -> None:
    bad = legacy = 0
    for r in dirty.records:
        v = normalise_id(
            str(
                dirty.row(r["dataset"], r["row_number"])[ROLE_COLUMNS[(r["dataset"], r["role"])][0]]
            )
        )
        if "id:bad_check" in r["dirt"]:
            bad += 1
            assert len(v) == 18 and v != r["true_key"] and v[:17] == r["true_key"][:17]
            if r["entity_kind"] == "person":
                assert ric.calc_check_digit(v) != v[-1]
            else:
                assert uscc.calc_check_digit(v[:17]) != v[-1]
        if "id:legacy15" in r["dirt"]:
            legacy += 1
            assert len(v) == 15 and upgrade_resident_id_15(v) == r["true_key"]
        if "id:placeholder" in r["dirt"]:
            assert v in {"000000000000000000", "无", "/", "123456789012345678", ""}
        if "id:missing" in r["dirt"]:
            assert v == ""
    assert bad > 20 and legacy > 50


def test_duplicates_copy_an_earlier_row(dirty: Province) -> None:
    dups = [r for r in dirty.records if "dup" in r["dirt"]]
    assert dups
    for r in dups:
        assert r["duplicate_of_row"] is not None and r["duplicate_of_row"] < r["row_number"]
        assert dirty.row(r["dataset"], r["row_number"]) == dirty.row(
            r["dataset"], r["duplicate_of_row"]
        )
        original = [
            o
            for o in dirty.records
            if o["dataset"] == r["dataset"]
            and o["row_number"] == r["duplicate_of_row"]
            and o["role"] == r["role"]
        ]
        assert len(original) == 1 and original[0]["entity_id"] == r["entity_id"]
        assert original[0]["dirt"] + ["dup"] == r["dirt"]
    assert all(r["duplicate_of_row"] is None for r in dirty.records if "dup" not in r["dirt"])


# --- dirt rates ----------------------------------------------------------------------------------


def _within(k: int, n: int, p: float, what: str) -> None:
    sigma = math.sqrt(n * p * (1 - p))
    assert abs(k - n * p) <= 4.5 * sigma + 2, f"{what}: {k}/{n} = {k / max(n, 1):.4f}, expected {p}"


def realised(prov: Province, rates: DirtRates) -> list[tuple[int, int, float, str]]:
    """(observed, trials, expected rate, label) for each dirt tag."""
    f = rates.authoritative_factor
    recs = [r for r in prov.records if "dup" not in r["dirt"]]
    out = []

    def tagged(rs, tag):
        return sum(tag in r["dirt"] for r in rs)

    for kind in ("person", "org"):
        other = [r for r in recs if r["entity_kind"] == kind and r["dataset"] not in AUTHORITATIVE]
        auth = [r for r in recs if r["entity_kind"] == kind and r["dataset"] in AUTHORITATIVE]
        for group, scale, where in ((other, 1.0, "others"), (auth, f, "authoritative")):
            for tag, rate in (
                ("id:missing", rates.id_missing),
                ("id:placeholder", rates.id_placeholder),
                ("id:bad_check", rates.id_bad_check),
            ):
                out.append((tagged(group, tag), len(group), rate * scale, f"{kind} {tag} {where}"))
            present = [r for r in group if not {"id:missing", "id:placeholder"} & set(r["dirt"])]
            for tag, rate in (("id:fullwidth", rates.id_fullwidth), ("id:spaces", rates.id_spaces)):
                out.append(
                    (tagged(present, tag), len(present), rate * scale, f"{kind} {tag} {where}")
                )
            out.append(
                (
                    tagged(group, "name:spaces"),
                    len(group),
                    rates.name_spaces * scale,
                    f"{kind} name:spaces {where}",
                )
            )
        out.append(
            (tagged(other, "name:variant"), len(other), rates.name_variant, f"{kind} name:variant")
        )
    persons = [
        r for r in recs if r["entity_kind"] == "person" and r["dataset"] not in AUTHORITATIVE
    ]
    born19 = [r for r in persons if r["true_key"][6:8] == "19"]
    out.append((tagged(born19, "id:legacy15"), len(born19), rates.id_legacy15, "id:legacy15"))
    majors = {"id:missing", "id:placeholder", "id:bad_check", "id:legacy15"}
    x = [r for r in persons if r["true_key"].endswith("X") and not majors & set(r["dirt"])]
    out.append((tagged(x, "id:lower_x"), len(x), rates.id_lower_x, "id:lower_x"))
    orgs = [r for r in recs if r["entity_kind"] == "org" and r["dataset"] not in AUTHORITATIVE]
    legacy = sum(bool({"id:orgcode", "id:regno"} & set(r["dirt"])) for r in orgs)
    out.append((legacy, len(orgs), rates.id_org_legacy, "org legacy id"))
    # address and mobile dirt is drawn per insured person (all their rows agree)
    insured: dict[str, set[str]] = defaultdict(set)
    for r in recs:
        if r["role"] == "employee":
            insured[r["entity_id"]].update(r["dirt"])
    old = sum("address:old" in d for d in insured.values())
    out.append((old, len(insured), rates.address_old, "address:old"))
    with_mobile = {k: d for k, d in insured.items() if prov.persons[k]["mobile"]}
    fmt = sum("mobile:format" in d for d in with_mobile.values())
    out.append((fmt, len(with_mobile), rates.mobile_format, "mobile:format"))
    for ds in DATASETS:
        rows = {}
        all_rows = set()
        for r in prov.records:
            if r["dataset"] == ds:
                all_rows.add(r["row_number"])
                if "dup" not in r["dirt"]:
                    rows[r["row_number"]] = r["dirt"]
        scale = f if ds in AUTHORITATIVE else 1.0
        originals = len(rows)
        out.append((len(all_rows) - originals, originals, rates.dup * scale, f"{ds} dup"))
        if any(i["type"] == "date" for i in catalog_entry(ds)["items"]):
            dated = sum("date:format" in d for d in rows.values())
            out.append((dated, originals, rates.date_format * scale, f"{ds} date:format"))
        if ds in ("gongan.huji", "renshe.shebao"):
            out.append(
                (
                    sum("value:missing" in d for d in rows.values()),
                    originals,
                    rates.value_missing * scale,
                    f"{ds} value:missing",
                )
            )
    return out


def test_default_dirt_rates_are_realised(province: Province) -> None:
    checks = realised(province, DirtRates())
    assert len(checks) > 40
    for k, n, p, label in checks:
        _within(k, n, p, label)


def test_custom_dirt_rates_are_realised(dirty: Province) -> None:
    checks = realised(dirty, CUSTOM_RATES)
    for k, n, p, label in checks:
        _within(k, n, p, label)
        if n * p >= 30:  # a high rate gives many
            assert k >= 0.6 * n * p, label
    manifest = json.loads((dirty.out / "synth.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["rates"] == CUSTOM_RATES.as_dict()
    counts = Counter(t for r in dirty.records for t in r["dirt"])
    assert manifest["dirt"] == dict(counts)


def test_zero_rates_give_no_dirt(clean: Province) -> None:
    assert all(r["dirt"] == [] and r["duplicate_of_row"] is None for r in clean.records)
    for r in clean.records:
        row = clean.row(r["dataset"], r["row_number"])
        id_col, _ = ROLE_COLUMNS[(r["dataset"], r["role"])]
        assert row[id_col] == r["true_key"]
    for ds in DATASETS:
        header, rows = clean.extracts[ds]
        for item in catalog_entry(ds)["items"]:
            if item["type"] == "date":
                col = header.index(item["source_column"])
                assert all(r[col] == "" or DATE_PATTERNS[0].match(r[col]) for r in rows)


def test_huji_is_cleaner_than_the_others(province: Province) -> None:
    share = {}
    for ds in ("gongan.huji", "renshe.shebao", "minzheng.hunyin"):
        recs = [r for r in province.records if r["dataset"] == ds]
        share[ds] = sum(bool(r["dirt"]) for r in recs) / len(recs)
    assert 0 < share["gongan.huji"] < share["renshe.shebao"] / 2
    assert share["gongan.huji"] < share["minzheng.hunyin"] / 2


# --- realism -------------------------------------------------------------------------------------


def test_names(province: Province) -> None:
    header, rows = province.extracts["gongan.huji"]
    names = [r[header.index("姓名")].strip() for r in rows]
    compound = (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "司徒",
        "夏侯",
        "长孙",
        "宇文",
        "东方",
    )
    assert any(n.startswith(compound) for n in names)
    assert any("·" in n for n in names)
    assert Counter(n[0] for n in names).most_common(1)[0][0] in "黄李韦陈"
    assert {
        len(n)
        for n in names
        if "·" not in n and not n.startswith(compound) and " " not in n and "\u3000" not in n
    } == {2, 3}
    for p in province.persons.values():
        if "·" in p["name"]:
            assert p["ethnicity"] == "维吾尔族"


def test_addresses_start_with_real_division_names(province: Province) -> None:
    for p in province.persons.values():
        assert p["domicile_address"].startswith(full_name(p["domicile_division"]))
        assert p["residence_address"].startswith(full_name(p["residence_division"]))
        assert p["residence_division"].startswith("45")
    header, rows = province.extracts["gongan.huji"]
    col = header.index("户籍地址")
    assert all(r[col].startswith("广西壮族自治区") for r in rows)
    for o in province.orgs.values():
        assert o["address"].startswith(full_name(o["county"]))


def test_social_insurance_addresses_and_employers(province: Province) -> None:
    old = current = 0
    for r in province.records:
        if r["role"] != "employee" or "value:missing" in r["dirt"]:
            continue
        row = province.row("renshe.shebao", r["row_number"])
        p = province.persons[r["entity_id"]]
        if "address:old" in r["dirt"]:
            assert row["czdz"] == p["previous_address"] != p["residence_address"]
            old += 1
        else:
            assert row["czdz"] == p["residence_address"]
            current += 1
    assert old and current
    employer_status = {
        province.orgs[r["entity_id"]]["status"] for r in province.records if r["role"] == "employer"
    }
    assert employer_status <= {"存续", "在业"}


def test_couples(province: Province) -> None:
    by_row = defaultdict(dict)
    for r in province.records:
        if r["dataset"] == "minzheng.hunyin":
            by_row[r["row_number"]][r["role"]] = province.persons[r["entity_id"]]
    assert by_row
    for n, pair in by_row.items():
        assert pair["husband"]["sex"] == "男" and pair["wife"]["sex"] == "女"
        day = _parse_date(province.row("minzheng.hunyin", n)["登记日期"])
        assert (day - pair["husband"]["birth_date"]).days >= 22 * 365
        assert (day - pair["wife"]["birth_date"]).days >= 20 * 365
    offices = {province.row("minzheng.hunyin", n)["登记机关"] for n in by_row}
    assert all(o.endswith("民政局婚姻登记处") for o in offices)


def test_parcels_lie_in_their_city(province: Province) -> None:
    header, rows = province.extracts["ziranziyuan.zongdi"]
    divisions = load_divisions()
    for r in rows:
        row = dict(zip(header, r, strict=True))
        assert len(row["宗地代码"]) == 19 and row["宗地代码"][:6] == row["行政区划代码"]
        assert divisions[row["行政区划代码"]].status == "current"
        m = re.fullmatch(r"POLYGON\(\((.*)\)\)", row["界址WKT"])
        assert m
        pts = [tuple(map(float, p.split())) for p in m.group(1).split(", ")]
        assert len(pts) == 5 and pts[0] == pts[-1]
        for lon, lat in pts:
            assert 104.5 <= lon <= 112.0 and 21.5 <= lat <= 26.4
        _, clon, clat = CITIES[row["行政区划代码"][:4] + "00"]
        lon = sum(p[0] for p in pts[:4]) / 4
        lat = sum(p[1] for p in pts[:4]) / 4
        assert abs(lon - clon) < 0.7 and abs(lat - clat) < 0.7
        # polygon area (shoelace, local metres) matches the stated area
        k = 111_320.0
        xy = [(x * k * math.cos(math.radians(lat)), y * k) for x, y in pts]
        area = (
            abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy, xy[1:], strict=False))) / 2
        )
        assert area == pytest.approx(float(row["宗地面积"]), rel=0.02)
        assert row["证件种类"] in ("居民身份证", "统一社会信用代码")
    assert {dict(zip(header, r, strict=True))["证件种类"] for r in rows} == {
        "居民身份证",
        "统一社会信用代码",
    }


def test_licences(province: Province) -> None:
    header, rows = province.extracts["shenpi.xuke"]
    data = [dict(zip(header, r, strict=True)) for r in rows]
    assert all(re.fullmatch(r".+市行政审批局", d["发证机关"]) for d in data)
    assert len({d["证照编号"] for d in data}) == len({tuple(r) for r in rows})
    expired = [d for d in data if d["有效期至"] and _parse_date(d["有效期至"]) < AS_OF]
    assert expired and any(d["状态"] == "有效" for d in expired)
    assert {d["证件类型"] for d in data} == {"居民身份证", "统一社会信用代码"}


def test_manifest(province: Province) -> None:
    doc = json.loads((province.out / "synth.json").read_text(encoding="utf-8"))
    assert doc["parameters"]["seed"] == 7 and doc["parameters"]["people"] == 2000
    assert doc["parameters"]["as_of"] == "2026-11-01"
    assert {d: v["rows"] for d, v in doc["datasets"].items()} == province.result.rows
    assert sum(doc["dirt"].values()) == sum(len(r["dirt"]) for r in province.records)


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    kw = {"people": 600, "orgs": 80, "chunk_size": 250}
    a = generate(tmp_path / "a", seed=5, **kw)
    b = generate(tmp_path / "b", seed=5, **kw)
    c = generate(tmp_path / "c", seed=6, **kw)
    for ds in DATASETS:
        assert a.extracts[ds].read_bytes() == b.extracts[ds].read_bytes(), ds
        assert a.extracts[ds].read_bytes() != c.extracts[ds].read_bytes(), ds
    for name in ("records", "persons", "orgs"):
        assert a.truth[name].read_bytes() == b.truth[name].read_bytes(), name
    assert a.manifest.read_bytes() == b.manifest.read_bytes()


def test_as_of_moves_everything(tmp_path: Path) -> None:
    r = generate(tmp_path, people=300, orgs=40, seed=1, as_of=dt.date(2020, 3, 15))
    assert r.extracts["gongan.huji"].name == "huji_20200315.csv"
    persons = pq.read_table(r.truth["persons"]).to_pylist()
    assert max(p["birth_date"] for p in persons) <= dt.date(2020, 3, 15)
    wb = openpyxl.load_workbook(r.extracts["minzheng.hunyin"], read_only=True)
    assert wb.properties.created == dt.datetime(2020, 3, 15)
    wb.close()


def test_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="within"):
        DirtRates(dup=1.5)
    with pytest.raises(ValueError, match="unknown"):
        DirtRates().with_overrides(nonsense=0.1)
    assert DirtRates().with_overrides(dup=0.2).dup == 0.2


def test_legal_representatives_were_of_age(province: Province) -> None:
    checked = 0
    for o in province.orgs.values():
        rep = province.persons[o["legal_rep_entity_id"]]
        assert (
            o["legal_rep_resident_id"] == rep["resident_id"] and o["legal_rep_name"] == rep["name"]
        )
        if o["established_on"] >= dt.date(1970, 1, 1):
            b = rep["birth_date"]
            assert (
                dt.date(b.year + 18, b.month, 28 if (b.month, b.day) == (2, 29) else b.day)
                <= o["established_on"]
            )
            assert (AS_OF - b).days <= 76 * 366
            checked += 1
    assert checked > 250

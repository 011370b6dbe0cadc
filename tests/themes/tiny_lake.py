"""A tiny lake written with pyarrow through the lake layer (no Spark): the base tables and
register staging tables the themes read, in the lake's own column names and types, with
rows whose theme answers are known (see the expected values in test_build.py).

Extra columns the real builds also write (``_source`` structs, provenance) are included for
some tables so that the build is seen to ignore what it does not declare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from jutong.lake import Lake, Zone

AS_OF = dt.date(2026, 11, 1)
D = dt.date
S, I64, DT, B = pa.string(), pa.int64(), pa.date32(), pa.bool_()
DEC = pa.decimal128(20, 4)


def _t(cols: dict[str, tuple[pa.DataType, list]]) -> pa.Table:
    return pa.table({k: pa.array(v, type=t) for k, (t, v) in cols.items()})


def persons() -> pa.Table:
    return _t(
        {
            "person_id": (S, ["P1", "P2", "P3", "P4"]),
            "resident_id": (
                S,
                [
                    "450102199003010011",
                    "450103199207150022",
                    "450102196001010033",
                    "450103200011010044",
                ],
            ),
            "name": (S, ["黄一", "刘二", "张三", "李四"]),
            "sex": (S, ["1", "2", "1", "2"]),
            "birth_date": (DT, [D(1990, 3, 1), D(1992, 7, 15), D(1960, 1, 1), D(2000, 11, 1)]),
            "ethnicity": (S, ["汉族", "壮族", "汉族", "壮族"]),
            "domicile_address": (S, ["兴宁区1号", "青秀区2号", "兴宁区3号", "青秀区4号"]),
            "domicile_division": (S, ["450102", "450103", "450102", "450103"]),
            "residence_address": (S, [None, None, None, None]),
            "residence_division": (S, [None, None, None, None]),
            "mobile": (S, [None, None, None, None]),
            "marital_status": (S, ["已婚", "已婚", "离婚", "离婚"]),
            "_version": (pa.int32(), [1, 1, 1, 1]),
        }
    )


def links(rows: list[tuple[str, int, str, str | None]], dataset: str) -> pa.Table:
    """(batch, row, role, entity_id) -> the links table."""
    return _t(
        {
            "mention_id": (S, [f"{dataset}|{b}|{r}|{role}" for b, r, role, _ in rows]),
            "dataset": (S, [dataset] * len(rows)),
            "department": (S, [dataset.split(".")[0]] * len(rows)),
            "batch_id": (S, [b for b, _, _, _ in rows]),
            "row_number": (I64, [r for _, r, _, _ in rows]),
            "role": (S, [role for _, _, role, _ in rows]),
            "entity_id": (S, [e for _, _, _, e in rows]),
            "status": (S, ["matched" if e else "quarantined" for _, _, _, e in rows]),
        }
    )


def person_links() -> pa.Table:
    shebao = links(
        [
            ("b1", 1, "employee", "P1"),
            ("b1", 2, "employee", "P1"),
            ("b1", 3, "employee", "P2"),
            ("b1", 4, "employee", "P3"),
            ("b1", 5, "employee", None),
        ],
        "renshe.shebao",
    )
    hunyin = links(
        [
            ("h1", 1, "husband", "P1"),
            ("h1", 1, "wife", "P2"),
            ("h1", 2, "husband", "P3"),
            ("h1", 2, "wife", "P4"),
        ],
        "minzheng.hunyin",
    )
    return pa.concat_tables([shebao, hunyin])


def org_links() -> pa.Table:
    return links(
        [
            ("b1", 1, "employer", "E1"),
            ("b1", 2, "employer", "E1"),
            ("b1", 3, "employer", "E2"),
            ("b1", 4, "employer", None),
        ],
        "renshe.shebao",
    )


def organisations() -> pa.Table:
    return _t(
        {
            "org_id": (S, ["E1", "E2"]),
            "uscc": (S, ["91450102MA5L000011", "91450103MA5L000022"]),
            "org_name": (S, ["南宁甲公司", "南宁乙公司"]),
            "org_type": (S, ["有限责任公司", "个人独资企业"]),
            "registered_division": (S, ["450102", "450103"]),
            "registered_capital": (DEC, [Decimal("100.0000"), Decimal("50.5000")]),
            "established_on": (DT, [D(2015, 1, 1), D(2018, 6, 1)]),
            "status": (S, ["存续", "吊销"]),
        }
    )


def divisions() -> pa.Table:
    return _t(
        {
            "division_code": (S, ["450100", "450102", "450103"]),
            "name": (S, ["南宁市", "兴宁区", "青秀区"]),
            "full_name": (
                S,
                [
                    "广西壮族自治区南宁市",
                    "广西壮族自治区南宁市兴宁区",
                    "广西壮族自治区南宁市青秀区",
                ],
            ),
            "level": (S, ["city", "county", "county"]),
            "parent_code": (S, ["450000", "450100", "450100"]),
            "city_code": (S, ["450100", "450100", "450100"]),
            "status": (S, ["current"] * 3),
        }
    )


def parcels() -> pa.Table:
    return _t(
        {
            "division_code": (S, ["450102", "450102", "450103"]),
            "parcel_code": (S, ["X1", "X2", "X3"]),
            "area_m2": (DEC, [Decimal("100.5000"), Decimal("2000.0000"), Decimal("50.0000")]),
            "land_use": (S, ["农村宅基地", "工业用地", "农村宅基地"]),
            "holder_kind": (S, ["person", "org", "person"]),
            "holder_person_id": (S, ["P1", None, None]),
            "holder_org_id": (S, [None, "E1", None]),
            "holder_found": (B, [True, True, False]),
            "holder_reason": (S, [None, None, "no identifier; kept apart"]),
        }
    )


def licences(extra: list[dict] | None = None) -> pa.Table:
    rows = [
        {
            "license_no": "L1",
            "holder_kind": "org",
            "holder_org_id": "E1",
            "status": "valid",
            "valid_until": AS_OF + dt.timedelta(days=30),
        },
        {
            "license_no": "L2",
            "holder_kind": "org",
            "holder_org_id": "E1",
            "status": "valid",
            "valid_until": AS_OF + dt.timedelta(days=200),
        },
        {
            "license_no": "L3",
            "holder_kind": "person",
            "holder_person_id": "P1",
            "status": "expired",
            "valid_until": AS_OF - dt.timedelta(days=3),
        },
        {
            "license_no": "L4",
            "holder_kind": "org",
            "holder_org_id": "E2",
            "status": "revoked",
            "valid_until": AS_OF + dt.timedelta(days=10),
        },
        *(extra or []),
    ]
    return _t(
        {
            "license_no": (S, [r["license_no"] for r in rows]),
            "license_type": (S, ["食品经营许可证"] * len(rows)),
            "holder_kind": (S, [r["holder_kind"] for r in rows]),
            "holder_person_id": (S, [r.get("holder_person_id") for r in rows]),
            "holder_org_id": (S, [r.get("holder_org_id") for r in rows]),
            "holder_found": (B, [True] * len(rows)),
            "issuer": (S, ["南宁市行政审批局"] * len(rows)),
            "issued_on": (DT, [D(2021, 1, 1)] * len(rows)),
            "valid_until": (DT, [r["valid_until"] for r in rows]),
            "status": (S, [r["status"] for r in rows]),
            "status_as_of": (DT, [AS_OF] * len(rows)),
        }
    )


def shebao() -> pa.Table:
    return _t(
        {
            "_batch_id": (S, ["b1"] * 6),
            "_row_number": (I64, [1, 2, 3, 4, 5, 6]),
            "_duplicate_of": (I64, [None, None, None, None, None, 1]),
            "employer_uscc": (
                S,
                [
                    "91450102MA5L000011",
                    "91450102MA5L000011",
                    "91450103MA5L000022",
                    "91450199MA5L000099",
                    None,
                    "91450102MA5L000011",
                ],
            ),
            "insurance_type": (
                S,
                ["失业保险", "失业保险", "职工基本医疗保险", "工伤保险", "失业保险", "失业保险"],
            ),
            "enrolled_on": (DT, [D(2020, 1, 1)] * 6),
            "_valid": (B, [True] * 6),
        }
    )


def hunyin() -> pa.Table:
    return _t(
        {
            "_batch_id": (S, ["h1", "h1"]),
            "_row_number": (I64, [1, 2]),
            "_duplicate_of": (I64, [None, None]),
            "certificate_no": (S, ["J450102-2025-000001", "L450102-2026-000001"]),
            "registration_type": (S, ["结婚", "离婚"]),
            "registered_on": (DT, [D(2025, 5, 20), D(2026, 3, 1)]),
            "registry_office": (S, ["南宁市兴宁区民政局", "南宁市兴宁区民政局"]),
        }
    )


TABLES = {
    (Zone.base, "population"): persons,
    (Zone.base, "population_links"): person_links,
    (Zone.base, "legal_entity"): organisations,
    (Zone.base, "legal_entity_links"): org_links,
    (Zone.base, "spatial_division"): divisions,
    (Zone.base, "spatial_parcel"): parcels,
    (Zone.base, "e_license"): licences,
    (Zone.staging, "renshe__shebao"): shebao,
    (Zone.staging, "minzheng__hunyin"): hunyin,
}


def write(lake: Lake, zone: Zone, name: str, data: pa.Table) -> int:
    """Replace the table's rows with ``data`` (created when missing); the new snapshot id."""
    table = lake.ensure_table(zone, name, data.schema)
    if table.scan().to_arrow().num_rows:
        table.overwrite(data)
    else:
        table.append(data)
    return lake.table(zone, name).current_snapshot().snapshot_id


def build_lake(lake: Lake, skip: tuple[str, ...] = ()) -> None:
    for (zone, name), make in TABLES.items():
        if name not in skip:
            write(lake, zone, name, make())

"""Dates (incl. Excel serials), GB/T 2260 division lookups and address splitting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jutong.standardize import (
    excel_serial_to_date,
    lookup_division_code,
    lookup_division_codes,
    lookup_division_name,
    split_address,
    split_addresses,
    standardize_date,
    standardize_dates,
)

DATES = [
    ("1990-01-02", "1990-01-02", None),
    ("1990/1/2", "1990-01-02", None),
    ("1990/01/02", "1990-01-02", None),
    ("1990-1-2", "1990-01-02", None),
    ("1990.01.02", "1990-01-02", None),
    ("1990年1月2日", "1990-01-02", None),
    ("1990年01月02日", "1990-01-02", None),
    ("19900102", "1990-01-02", None),
    ("1990-01-02 08:30:00", "1990-01-02", None),
    ("1990-01-02T08:30:00+08:00", "1990-01-02", None),
    ("1990/1/2 8:30", "1990-01-02", None),
    ("  1990-01-02\u3000", "1990-01-02", None),
    ("32875", "1990-01-02", None),  # Excel serial (1900 date system)
    ("32875.75", "1990-01-02", None),
    (32875, "1990-01-02", None),
    ("1", "1900-01-01", None),  # serial 1
    ("59", "1900-02-28", None),
    ("60", None, "bad_date"),  # Excel's fictitious 1900-02-29
    ("61", "1900-03-01", None),
    ("2000-02-29", "2000-02-29", None),
    ("1900-02-29", None, "bad_date"),
    ("2001-02-29", None, "bad_date"),
    ("19900230", None, "bad_date"),
    ("1990-13-01", None, "bad_date"),
    ("1990-1", None, "bad_format"),
    ("一九九〇年", None, "bad_format"),
    ("abc", None, "bad_format"),
    ("", None, "empty"),
    (None, None, "empty"),
    ("无", None, "placeholder"),
    (dt.date(1990, 1, 2), "1990-01-02", None),
    (dt.datetime(1990, 1, 2, 8, 30), "1990-01-02", None),
]


@pytest.mark.parametrize(("value", "iso", "reason"), DATES)
def test_date_cases(value, iso, reason):
    r = standardize_date(value)
    assert (r.iso, r.reason, r.valid) == (iso, reason, iso is not None)


def test_excel_serial_edges():
    assert excel_serial_to_date(0) is None
    assert excel_serial_to_date(60) is None
    assert excel_serial_to_date(1) == dt.date(1900, 1, 1)
    assert excel_serial_to_date(2_958_465) == dt.date(9999, 12, 31)
    assert excel_serial_to_date(2_958_466) is None


@given(st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)))
@settings(max_examples=200, deadline=None)
def test_all_forms_of_one_date_agree(day):
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        str(serial),
        f"{day.isoformat()} 12:00:00",
    ]
    col = standardize_dates(forms).to_pylist()
    assert {c["iso"] for c in col} == {day.isoformat()}
    assert all(standardize_date(f).iso == day.isoformat() for f in forms)


def test_division_code_lookup_keeps_abolished():
    r = lookup_division_code("450221")
    assert (r.name, r.status, r.replaced_by, r.replaced_by_name) == (
        "柳江县",
        "abolished",
        "450206",
        "柳江区",
    )
    assert r.full_name == "广西壮族自治区柳州市柳江县"
    current = lookup_division_code("450206")
    assert (current.name, current.status, current.replaced_by) == ("柳江区", "current", None)
    assert lookup_division_code("450000").level == "province"
    assert lookup_division_code("999999").reason == "unknown_code"
    assert lookup_division_code("4502").reason == "bad_format"
    assert lookup_division_code(None).reason == "empty"
    col = lookup_division_codes(["450221", "450206", None]).to_pylist()
    assert [c["name"] for c in col] == ["柳江县", "柳江区", None]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("柳江县", "450221"),  # abolished, found by its own name
        ("柳江区", "450206"),
        ("柳江", "450206"),  # short name: the current division wins
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("广西壮族自治区柳州市柳江区", "450206"),
        ("柳州", "450200"),
        ("融水", "450225"),
    ],
)
def test_division_name_lookup(name, code):
    assert lookup_division_name(name).code == code


def test_division_name_failures():
    assert lookup_division_name("火星市").reason == "unknown_name"
    assert lookup_division_name("").reason == "empty"


ADDRESSES = [
    (
        "广西壮族自治区柳州市柳江区拉堡镇柳堡路1号",
        "广西壮族自治区",
        "柳州市",
        "柳江区",
        "拉堡镇柳堡路1号",
        "450206",
    ),
    ("广西柳州柳江拉堡镇", "广西壮族自治区", "柳州市", "柳江区", "拉堡镇", "450206"),
    ("广西柳州市城中区文昌路", "广西壮族自治区", "柳州市", "城中区", "文昌路", "450202"),
    ("柳州市鱼峰区", "广西壮族自治区", "柳州市", "鱼峰区", None, "450203"),
    ("柳州鱼峰区箭盘路", "广西壮族自治区", "柳州市", "鱼峰区", "箭盘路", "450203"),
    ("柳江县拉堡镇", "广西壮族自治区", "柳州市", "柳江县", "拉堡镇", "450221"),  # historical
    ("南宁市", "广西壮族自治区", "南宁市", None, None, "450100"),
    ("北京市东城区王府井大街1号", "北京市", None, "东城区", "王府井大街1号", "110101"),
    ("人民路1号", None, None, None, "人民路1号", None),
]


@pytest.mark.parametrize(("value", "province", "city", "county", "rest", "code"), ADDRESSES)
def test_address_split(value, province, city, county, rest, code):
    r = split_address(value)
    assert (r.province, r.city, r.county, r.rest, r.division_code) == (
        province,
        city,
        county,
        rest,
        code,
    )


def test_address_column_equals_scalar():
    values = [a[0] for a in ADDRESSES] + [None, ""]
    col = split_addresses(values).to_pylist()
    assert [c["division_code"] for c in col] == [split_address(v).division_code for v in values]
    assert col[-1]["reason"] == "empty"

"""The anonymity gate of ad-hoc open files: birth-revealing dates, quasi-identifiers, k."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from masking import file_anonymity as A
from masking.anonymity import AnonymityError, class_sizes
from masking.policies import Action, ColumnPolicy


def _policies():
    return [
        ColumnPolicy("id", Action.drop, pii="resident_id"),
        ColumnPolicy("sex", Action.keep, pii="sex", quasi_identifier=True),
        ColumnPolicy("birth", Action.birth_5y_band, pii="birth_date", quasi_identifier=True),
        ColumnPolicy("registered", Action.keep),
        ColumnPolicy("updated", Action.keep),
        ColumnPolicy("note", Action.keep),
    ]


TABLE = pa.table(
    {
        "id": ["450102199001011234", "45010219850607002X", "450102 19700203 0015", None],
        "sex": ["男", "女", "男", "女"],
        "birth": ["1990-01-01", None, "1970年2月3日", "2001/3/4"],
        # registered on the birth date, 30 days after birth (from the ID), 20 years later
        "registered": ["1990-01-01", "1985-07-07", "1990-05-05", "2001-03-04"],
        "updated": ["2026-11-01"] * 4,
        "note": ["a", "b", "c", "d"],
    }
)


def test_birth_dates_from_the_birth_column_then_the_id():
    got = A.birth_dates(TABLE, _policies()).to_pylist()
    assert got == [
        dt.date(1990, 1, 1),
        dt.date(1985, 6, 7),  # from the ID: the birth column is empty
        dt.date(1970, 2, 3),
        dt.date(2001, 3, 4),
    ]
    assert A.birth_dates(TABLE.select(["sex", "note"]), _policies()) is None


def test_a_date_near_the_birth_date_is_found_and_made_a_quasi_identifier():
    revealing = A.birth_revealing_dates(TABLE, _policies(), A.birth_dates(TABLE, _policies()))
    assert revealing == {
        "registered": {
            "rows_compared": 4,
            "within_60_days_of_birth": 3,
            "on_the_birth_date": 2,
        }
    }  # 'updated' is 20+ years after every birth; 'note' holds no dates
    policies = A.as_quasi_identifiers(_policies(), revealing)
    reg = next(p for p in policies if p.column == "registered")
    assert reg.action is Action.birth_year and reg.quasi_identifier
    assert "3 of 4 rows within 60 days" in reg.reason
    qis = A.quasi_identifiers(TABLE, policies)
    assert [(q.column, q.kind) for q in qis] == [
        ("sex", "category"),
        ("birth", "band"),
        ("registered", "year"),
    ]


def test_the_gate_generalizes_suppresses_or_refuses():
    n = 40
    table = pa.table(
        {
            "sex": ["男", "女"] * (n // 2),
            "county": [f"县{i % 3}" for i in range(n)],
            "note": [str(i) for i in range(n)],
        }
    )
    policies = [
        ColumnPolicy("sex", Action.keep, quasi_identifier=True),
        ColumnPolicy("county", Action.keep, quasi_identifier=True),
        ColumnPolicy("note", Action.keep),
    ]
    out, report = A.anonymity_gate(table, policies, k=5)
    assert (class_sizes(out, ["sex", "county"]) >= 5).all()
    assert report.rows_in == n and report.k == 5
    with pytest.raises(AnonymityError) as err:
        A.anonymity_gate(table.slice(0, 4), policies, k=5, max_suppressed=0.0)
    assert err.value.report["passed"] is False
    # no quasi-identifier: nothing to hold, the table as it is
    same, none = A.anonymity_gate(table.select(["note"]), policies[2:], k=5)
    assert none is None and same.equals(table.select(["note"]))

"""Formula cells neutralized in files written for people (OWASP CSV injection)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from jutong.text.formulas import neutralize, neutralize_array, neutralize_table


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","点我")', '\'=HYPERLINK("http://x","点我")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("南宁=1", "南宁=1"),
        ("", ""),
        (None, None),
    ],
)
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def test_column_form_equals_the_scalar_form():
    values = ["=1+1", "ok", None, "-5", "a-b", "@x", "\t"]
    arr, n = neutralize_array(pa.array(values))
    assert arr.to_pylist() == [neutralize(v) for v in values]
    assert n == 4


def test_only_text_columns_change():
    t = pa.table(
        {
            "text": pa.chunked_array([["=1", "x"], [None]]),
            "amount": pa.array([-5, 3, 1]),
            "day": pa.array([dt.date(2026, 1, 1)] * 3),
            "cat": pa.array(["+a", "b", "+a"]).dictionary_encode(),
        }
    )
    out, n = neutralize_table(t)
    assert n == 3
    assert out.column("text").to_pylist() == ["'=1", "x", None]
    assert out.column("amount").to_pylist() == [-5, 3, 1]
    assert out.column("cat").to_pylist() == ["'+a", "b", "'+a"]
    assert neutralize_table(pa.table({"a": ["x"]}))[1] == 0

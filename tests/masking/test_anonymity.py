"""k-anonymity with generalization and suppression; small-cell and secondary suppression."""

import datetime as dt
import random

import pyarrow as pa
import pytest

from masking import columns as C
from masking.anonymity import (
    AnonymityError,
    QuasiIdentifier,
    check_cells,
    check_k_anonymity,
    class_sizes,
    generalize,
    k_anonymize,
    suppress_cells,
)


def people(n: int, seed: int = 3) -> pa.Table:
    rng = random.Random(seed)
    counties = [
        "广西壮族自治区南宁市兴宁区",
        "广西壮族自治区南宁市青秀区",
        "广西壮族自治区柳州市城中区",
    ]
    births = [dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 80 * 365)) for _ in range(n)]
    return pa.table(
        {
            "county": [rng.choice(counties) for _ in range(n)],
            "sex": [rng.choice("12") for _ in range(n)],
            "band": C.birth_5y_band(pa.array(births)),
            "ethnicity": [rng.choices(["汉族", "壮族", "瑶族"], [6, 3, 1])[0] for _ in range(n)],
            "value": list(range(n)),
        }
    )


QIS = [
    QuasiIdentifier("county", "address"),
    QuasiIdentifier("sex"),
    QuasiIdentifier("band", "band"),
    QuasiIdentifier("ethnicity"),
]


def test_generalization_hierarchies():
    band = pa.array(["1987-1991", "1985-1989", None])
    qi = QuasiIdentifier("b", "band")
    assert generalize(pa.array(["1985-1989"]), qi, 1).to_pylist() == ["1980-1989"]
    assert generalize(pa.array(["1985-1989"]), qi, 2).to_pylist() == ["1980-1999"]
    assert generalize(band, qi, 3).to_pylist()[:2] == ["*", "*"]
    addr = QuasiIdentifier("a", "address")
    assert generalize(pa.array(["广西壮族自治区柳州市城中区"]), addr, 1).to_pylist() == [
        "广西壮族自治区柳州市"
    ]
    assert generalize(pa.array(["广西壮族自治区柳州市城中区"]), addr, 2).to_pylist() == [
        "广西壮族自治区"
    ]
    div = QuasiIdentifier("d", "division")
    assert generalize(pa.array(["450202"]), div, 2).to_pylist() == ["450000"]


def test_k_anonymize_reaches_k_and_reports():
    t = people(600)
    out, rep = k_anonymize(t, QIS, k=5)
    sizes = class_sizes(out, [q.column for q in QIS])
    assert sizes.min() >= 5
    assert rep.smallest_class >= 5
    assert rep.rows_out + rep.rows_suppressed == 600
    assert rep.rows_suppressed <= 30  # at most 5 %
    assert any(level > 0 for level in rep.levels.values())
    assert rep.steps
    assert out.column("value").to_pylist() == sorted(out.column("value").to_pylist())


def test_rare_rows_are_suppressed_not_generalized_away():
    t = people(400)
    rare = pa.table(
        {
            "county": ["广西壮族自治区柳州市城中区"],
            "sex": ["1"],
            "band": ["1900-1904"],
            "ethnicity": ["京族"],
            "value": [999],
        }
    )
    out, rep = k_anonymize(pa.concat_tables([t, rare]), QIS, k=5, max_suppressed=0.05)
    assert 999 not in out.column("value").to_pylist()
    assert rep.rows_suppressed >= 1


def test_gate_refuses_under_k_when_generalization_is_not_allowed():
    t = people(300)
    fixed = [QuasiIdentifier(q.column, q.kind, max_level=0) for q in QIS]
    with pytest.raises(AnonymityError, match="k-anonymity .k=5. not reached") as err:
        k_anonymize(t, fixed, k=5, max_suppressed=0.01)
    assert err.value.report["passed"] is False
    with pytest.raises(AnonymityError, match="smaller than k=5"):
        check_k_anonymity(t, ["value"], 5)


def test_cells_below_threshold_and_secondary_suppression():
    rows = []
    rng = random.Random(5)
    for county in ("A", "B", "C", "D"):
        for sex in ("男", "女"):
            for band in ("0-4", "5-9", "10-14", "15-19", "20-24"):
                rows.append((county, sex, band, rng.choice([0, 1, 3, 8, 12, 20, 40])))
    t = pa.table(
        {
            "county": [r[0] for r in rows],
            "sex": [r[1] for r in rows],
            "band": [r[2] for r in rows],
            "count": [r[3] for r in rows],
        }
    )
    out, rep = suppress_cells(t, ["county", "sex", "band"], threshold=5)
    df = out.to_pandas()
    assert rep.primary == sum(1 for r in rows if 0 < r[3] < 5)
    shown = df["count"].dropna()
    assert not ((shown > 0) & (shown < 5)).any()
    # zeros are not primary suppressions: shown as 0 unless picked as a complementary cell
    zeros = df.loc[[r[3] == 0 for r in rows]]
    assert (zeros.loc[~zeros["suppressed"], "count"] == 0).all()
    assert rep.secondary == int(df["suppressed"].sum()) - rep.primary
    for others in (["sex", "band"], ["county", "band"], ["county", "sex"]):
        assert not (df.groupby(others)["suppressed"].sum() == 1).any()
    check_cells(out, ["county", "sex", "band"], "count", 5)


def test_a_single_suppressed_cell_is_caught_by_the_gate():
    t = pa.table(
        {
            "county": ["A", "A"],
            "sex": ["男", "女"],
            "count": [None, 30],
            "suppressed": [True, False],
        }
    )
    with pytest.raises(AnonymityError, match="exactly one suppressed"):
        check_cells(t, ["county", "sex"], "count", 5)

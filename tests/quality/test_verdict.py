"""The gate's judgement from counts alone (no Spark, no GE): groups, grace, row limits, flags
that disagree with GE, nothing evaluated."""

from jutong.quality.result import GateResult, Outcome
from jutong.quality.spec import BATCH, INFO, ROW, columns_of, expectation, meta_of, simple_suite
from jutong.quality.verdict import flagged_keys, outcome_failures, row_flag_failures


def _o(key, level=ROW, *, success=True, unexpected=0, group=None, max_rate=None, error=None):
    return Outcome(
        key=key,
        type="expect_column_values_to_not_be_null",
        column=key.split(":")[-1],
        level=level,
        dimension="completeness",
        success=success,
        evaluated=error is None,
        element_count=100,
        unexpected_count=unexpected,
        group=group,
        max_rate=max_rate,
        error=error,
    )


def _suite(n, **meta):
    return {"expectations": [{}] * n, "meta": {"jutong": meta}}


def test_clean_outcomes_pass():
    outs = [_o("not_null:a"), _o("unique:a")]
    assert outcome_failures("t", _suite(2), outs, 100) == []
    assert row_flag_failures("t", _suite(2), outs, 100, 0, {"not_null:a": 0, "unique:a": 0}) == []


def test_nothing_evaluated_and_missing_outcomes_fail():
    failures = outcome_failures("t", _suite(2), [_o("x", error="boom")], 100)
    assert failures[0] == "t: the checkpoint evaluated no expectation"
    assert "2 expectation(s) in the suite, 1 evaluated" in failures[1]
    assert "could not run: boom" in failures[2]


def test_failed_row_expectation_blocks_unless_judged_by_rate():
    bad = _o("not_null:a", success=False, unexpected=3)
    assert "3 of 100 value(s) unexpected" in outcome_failures("t", _suite(1), [bad], 100)[0]
    # with a failed-row limit the suite's rate decides (below), not the expectation alone
    assert outcome_failures("t", _suite(1, max_failed_row_rate=0.05), [bad], 100) == []
    # an info-level expectation never blocks
    assert outcome_failures("t", _suite(1), [_o("fresh", INFO, success=False)], 100) == []


def test_group_rate_with_grace():
    members = [
        _o("not_null:id", BATCH, success=False, unexpected=2, group="id", max_rate=0.02),
        _o("valid:id", BATCH, success=False, unexpected=2, group="id", max_rate=0.02),
    ]
    (failure,) = outcome_failures("t", _suite(2), members, 100)
    assert failure.startswith("id: 4 of 100 rows (4.00%) fail not_null:id or valid:id")
    # the same 4 rows within the grace of a small batch do not block it
    assert outcome_failures("t", _suite(2, grace_rows=4), members, 100) == []


def test_row_flags_must_agree_with_ge_and_the_row_limit():
    outs = [_o("not_null:a", success=False, unexpected=3), _o("fresh", INFO)]
    assert flagged_keys(outs) == ["not_null:a"]
    (mismatch,) = row_flag_failures("t", _suite(2), outs, 100, 2, {"not_null:a": 2})
    assert "GE counted 3 unexpected value(s), the row flags 2" in mismatch
    (limit,) = row_flag_failures(
        "t", _suite(2, max_failed_row_rate=0.02), outs, 100, 3, {"not_null:a": 3}
    )
    assert "3 of 100 rows (3.00%) fail a row-level expectation; the limit is 2.00%" in limit


def test_spec_helpers_and_result():
    exp = expectation("unique", "key", only_where_null="_duplicate_of")
    assert columns_of(exp) == ["key", "_duplicate_of"]
    assert meta_of(exp) == {
        "key": "unique:key",
        "level": ROW,
        "dimension": "consistency",
        "group": None,
        "max_rate": None,
    }
    assert [e["type"] for e in simple_suite("s", [("not_null", "a")])["expectations"]] == [
        "expect_column_values_to_not_be_null"
    ]
    assert GateResult("t", True, 1, [], 0).as_dict()["passed"] is True

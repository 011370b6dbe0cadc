"""How the gate reads a suite: expectation levels, the short specs, each expectation's meta.

A suite is GE's JSON form (``{"name", "expectations": [{"type", "kwargs", "meta"}], "meta"}``).
Each expectation's ``meta.jutong`` says how the gate uses it:

- ``level: "row"``: a row failing it is quarantined (the row failure flags); GE's ``mostly``
  (= 1 - the dataset's ``max_failed_row_rate``) decides whether the batch as a whole passes;
- ``level: "batch"``: judged on the batch only (identifier validity, cross-field consistency);
  ``group`` + ``max_rate``: the unexpected counts of the group's members are added up and
  divided by the batch's rows (a required identifier: missing + invalid values);
- ``level: "info"``: reported (e.g. freshness), never blocking.

Pure data: no Spark, no Great Expectations (they run it, in ``spark_jobs.quality``).
"""

from __future__ import annotations

import re
from typing import Any

ROW, BATCH, INFO = "row", "batch", "info"
LEVELS = (ROW, BATCH, INFO)

# the short names of simple_suite → GE expectation types
SHORT_TYPES = {
    "not_null": "expect_column_values_to_not_be_null",
    "unique": "expect_column_values_to_be_unique",
    "valid_resident_id": "expect_column_values_to_be_valid_resident_id",
    "valid_uscc": "expect_column_values_to_be_valid_uscc",
    "valid_party_id": "expect_column_values_to_be_valid_party_id",
    "in_set": "expect_column_values_to_be_in_set",
    "regex": "expect_column_values_to_match_regex",
    "pair_equal": "expect_column_pair_values_to_be_equal",
}
SHORT_DIMENSION = {
    "not_null": "completeness",
    "unique": "consistency",
    "valid_resident_id": "accuracy",
    "valid_uscc": "accuracy",
    "valid_party_id": "accuracy",
    "in_set": "conformity",
    "regex": "conformity",
    "pair_equal": "accuracy",
}


def expectation(
    short: str,
    column: str,
    arg: Any = None,
    *,
    level: str = ROW,
    mostly: float = 1.0,
    dimension: str | None = None,
    group: str | None = None,
    max_rate: float | None = None,
    only_where_null: str | None = None,
    key: str | None = None,
    **kwargs: Any,
) -> dict:
    """One expectation in GE's JSON form with the gate's ``meta.jutong``.

    ``short`` is a key of ``SHORT_TYPES``; ``arg`` the value set (``in_set``), the pattern
    (``regex``) or the second column (``pair_equal``); ``only_where_null``: evaluate only rows
    where that column is null (a GE row condition; used to skip exact copies)."""
    if short not in SHORT_TYPES:
        raise ValueError(f"unknown expectation '{short}' (known: {', '.join(SHORT_TYPES)})")
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}' (levels: {', '.join(LEVELS)})")
    kw: dict[str, Any] = {}
    if short == "pair_equal":
        if not arg:
            raise ValueError("pair_equal needs the second column")
        kw.update(column_A=column, column_B=arg, ignore_row_if="either_value_is_missing")
    else:
        kw["column"] = column
    if short == "in_set":
        if not arg:
            raise ValueError(f"in_set on '{column}' needs a non-empty value set")
        kw["value_set"] = list(arg)
    elif short == "regex":
        if not arg:
            raise ValueError(f"regex on '{column}' needs a pattern")
        re.compile(arg)
        kw["regex"] = arg
    if mostly < 1.0:
        kw["mostly"] = round(mostly, 6)
    if only_where_null:
        kw["row_condition"] = {
            "type": "nullity",
            "column": {"name": only_where_null},
            "is_null": True,
        }
    kw.update(kwargs)
    meta: dict[str, Any] = {
        "key": key or f"{short}:{column}" + (f":{arg}" if short == "pair_equal" else ""),
        "level": level,
        "dimension": dimension or SHORT_DIMENSION[short],
    }
    if group:
        meta["group"] = group
    if max_rate is not None:
        meta["max_rate"] = max_rate
    return {"type": SHORT_TYPES[short], "kwargs": kw, "meta": {"jutong": meta}}


def simple_suite(name: str, specs: list[tuple], *, level: str = ROW) -> dict:
    """A suite from short specs, e.g. for a base table::

        simple_suite("base.population", [("not_null", "person_id"), ("unique", "person_id"),
                     ("valid_resident_id", "resident_id"), ("in_set", "status", ["有效"])])

    Every expectation must hold for every row (``mostly`` 1) and is row-level, so
    ``GateResult.failed_rows`` counts the rows breaking any of them."""
    exps = []
    for spec in specs:
        if not isinstance(spec, tuple | list) or len(spec) not in (2, 3):
            raise ValueError(f"{name}: spec {spec!r} is not (kind, column[, arg])")
        exps.append(expectation(spec[0], spec[1], spec[2] if len(spec) == 3 else None, level=level))
    return {
        "name": name,
        "expectations": exps,
        "meta": {"jutong": {"generated_by": "simple_suite"}},
    }


def columns_of(exp: dict) -> list[str]:
    """The columns an expectation reads (its row condition's included)."""
    kw = exp.get("kwargs", {})
    cols = [kw[k] for k in ("column", "column_A", "column_B") if isinstance(kw.get(k), str)]
    cols += list(kw.get("column_list") or [])
    rc = kw.get("row_condition")
    if isinstance(rc, dict) and isinstance(rc.get("column"), dict):
        cols.append(rc["column"]["name"])
    return cols


def meta_of(exp: dict) -> dict:
    """An expectation's ``meta.jutong`` with its defaults filled in."""
    m = (exp.get("meta") or {}).get("jutong") or {}
    return {
        "key": m.get("key") or f"{exp.get('type')}:{columns_of(exp)[:1]}",
        "level": m.get("level", ROW),
        "dimension": m.get("dimension", "conformity"),
        "group": m.get("group"),
        "max_rate": m.get("max_rate"),
    }

"""The six quality dimensions of GX-Open art. 20(7), scored 0–100 per batch.

Formulas (also in ``docs/quality.md`` and in ``jutong quality report --json``):

- 规范性 conformity  = 100 × (1 − Σ unexpected / Σ checked values) over the value-set and
  pattern expectations (dimension ``conformity``);
- 完整性 completeness = 100 × (1 − Σ missing / Σ checked values) over the not-null
  expectations of required items (dimension ``completeness``, the row-count check excluded);
- 准确性 accuracy    = 100 × (1 − Σ unexpected / Σ checked values) over identifier validity
  (GB 11643, GB 32100) and birth date / sex against the resident ID (dimension ``accuracy``);
- 一致性 consistency = 100 × (1 − (rows in a key conflict + exact copies) / rows in);
- 时效性 timeliness  = 100 when the batch's age (as-of date − load date) is within the update
  cycle's maximum age, else 100 × max(0, 1 − (age − max) / max); 100 when the cycle has none;
- 可用性 usability   = 100 × rows published to staging / rows in (a blocked batch: 0).

A dimension without any check in a batch scores 100 (nothing was found wrong) and is marked as
such in the JSON (``checked: false``).
"""

from __future__ import annotations

DIMENSIONS = {
    "conformity": "规范性",
    "completeness": "完整性",
    "accuracy": "准确性",
    "consistency": "一致性",
    "timeliness": "时效性",
    "usability": "可用性",
}
FORMULAS = {
    "conformity": "100 × (1 − Σ unexpected / Σ checked) over value-set and pattern expectations",
    "completeness": "100 × (1 − Σ missing / Σ checked) over not-null expectations of required items",
    "accuracy": "100 × (1 − Σ unexpected / Σ checked) over identifier validity and birth date/sex vs resident ID",
    "consistency": "100 × (1 − (rows in a unique-key conflict + exact copies) / rows in)",
    "timeliness": "100 if age ≤ max age of the update cycle, else 100 × max(0, 1 − (age − max)/max)",
    "usability": "100 × rows published to staging / rows in (blocked batch: 0)",
}


def _ratio_score(outcomes: list[dict], dimension: str) -> tuple[float, bool]:
    checked = bad = 0
    for o in outcomes:
        if o.get("dimension") != dimension or not o.get("evaluated") or o.get("key") == "rows":
            continue
        if o.get("type") == "expect_column_max_to_be_between":
            continue
        n = o.get("element_count") or 0
        if o.get("type") == "expect_column_values_to_be_unique":
            continue  # counted under consistency by rows
        checked += n
        bad += o.get("unexpected_count") or 0
    if checked == 0:
        return 100.0, False
    return round(100.0 * max(0.0, 1.0 - bad / checked), 2), True


def batch_scores(
    outcomes: list[dict],
    *,
    rows_in: int,
    published: int,
    duplicates: int,
    age_days: int | None,
    max_age_days: int | None,
) -> dict[str, float]:
    out: dict[str, float] = {}
    for dim in ("conformity", "completeness", "accuracy"):
        out[dim], _ = _ratio_score(outcomes, dim)
    conflicts = sum(
        o.get("unexpected_count") or 0
        for o in outcomes
        if o.get("type") == "expect_column_values_to_be_unique" and o.get("evaluated")
    )
    out["consistency"] = (
        round(100.0 * max(0.0, 1.0 - (conflicts + duplicates) / rows_in), 2) if rows_in else 0.0
    )
    if max_age_days is None or age_days is None or age_days <= max_age_days:
        out["timeliness"] = 100.0
    else:
        over = (age_days - max_age_days) / max(max_age_days, 1)
        out["timeliness"] = round(100.0 * max(0.0, 1.0 - over), 2)
    out["usability"] = round(100.0 * published / rows_in, 2) if rows_in else 0.0
    return out

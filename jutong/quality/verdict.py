"""The gate's judgement: from the outcomes of one batch and its row-flag counts, the failures.

Pure counting, no Spark and no Great Expectations. The gate fails, loudly, when the checkpoint
evaluated no expectation, fewer expectations ran than the suite holds, an expectation could not
run, a blocking expectation failed, a group's or the suite's failed-row rate is over its limit
(and over the suite's ``grace_rows``), or GE's unexpected counts disagree with the row flags
used for the quarantine split (the GE traps: an empty checkpoint succeeds, map expectations pass
on an empty batch, a misspelled expectation runs nothing).
"""

from __future__ import annotations

from jutong.quality.result import Outcome
from jutong.quality.spec import INFO, ROW


def _suite_limits(suite: dict) -> tuple[float | None, int]:
    smeta = (suite.get("meta") or {}).get("jutong") or {}
    return smeta.get("max_failed_row_rate"), int(smeta.get("grace_rows") or 0)


def outcome_failures(name: str, suite: dict, outcomes: list[Outcome], rows: int) -> list[str]:
    """Failures found in GE's outcomes alone (``rows``: the batch's rows, more than 0)."""
    failures: list[str] = []
    exps = suite["expectations"]
    if sum(o.evaluated for o in outcomes) == 0:
        failures.append(f"{name}: the checkpoint evaluated no expectation")
    if len(outcomes) != len(exps):
        failures.append(
            f"{name}: {len(exps)} expectation(s) in the suite, {len(outcomes)} evaluated"
        )
    row_limit, grace = _suite_limits(suite)
    for o in outcomes:
        # judged by their rate below: a group's members, and row-level expectations of a
        # suite with a failed-row limit
        by_rate = o.group is not None or (o.level == ROW and row_limit is not None)
        if o.error:
            failures.append(f"{o.key}: {o.type} on '{o.column}' could not run: {o.error[:300]}")
        elif not o.success and o.level != INFO and not by_rate:
            failures.append(
                f"{o.key}: {o.type} on '{o.column}' failed: {o.unexpected_count:,} of "
                f"{o.element_count:,} value(s) unexpected"
            )
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.group and o.level != INFO:
            groups.setdefault(o.group, []).append(o)
    for g, members in groups.items():
        limit = min((o.max_rate for o in members if o.max_rate is not None), default=None)
        bad = sum(o.unexpected_count for o in members)
        if limit is not None and bad / rows > limit and bad > grace:
            failures.append(
                f"{g}: {bad:,} of {rows:,} rows ({bad / rows:.2%}) fail "
                f"{' or '.join(o.key for o in members)}; the limit is {limit:.2%}"
            )
    return failures


def flagged_keys(outcomes: list[Outcome]) -> list[str]:
    """The keys whose failing rows the row flags must count: row-level, evaluated."""
    return [o.key for o in outcomes if o.level == ROW and o.evaluated]


def row_flag_failures(
    name: str,
    suite: dict,
    outcomes: list[Outcome],
    rows: int,
    failed_rows: int,
    flag_counts: dict[str, int],
) -> list[str]:
    """Failures from the row flags: a key whose flagged rows differ from GE's unexpected count
    (the quarantine split would not be what GE judged), and a failed-row rate over the suite's
    ``max_failed_row_rate``. ``flag_counts``: rows flagged per key of ``flagged_keys``;
    ``failed_rows``: rows flagged by any key."""
    failures: list[str] = []
    for k in flagged_keys(outcomes):
        o = next(x for x in outcomes if x.key == k)
        mine = flag_counts[k]
        if mine != o.unexpected_count:
            failures.append(
                f"{k}: GE counted {o.unexpected_count:,} unexpected value(s), the row flags "
                f"{mine:,}; the gate refuses to split rows it cannot account for"
            )
    limit, grace = _suite_limits(suite)
    if limit is not None and failed_rows / rows > limit and failed_rows > grace:
        failures.append(
            f"{name}: {failed_rows:,} of {rows:,} rows ({failed_rows / rows:.2%}) fail a "
            f"row-level expectation; the limit is {limit:.2%}"
        )
    return failures

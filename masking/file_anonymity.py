"""The anonymity gate of ad-hoc files opened to the public (``jutong pii mask --policy open``):
the same gate as person-level releases (GX-Reg art. 25; GX-Open art. 19; SX-Reg art. 15;
PIPL art. 73: only anonymized data stops being personal information).

- **Dates that give a birth date away.** A date column kept to the day is a quasi-identifier
  when, for at least one row, it falls within ``BIRTH_WINDOW_DAYS`` (60) days of that person's
  birth date (a household register's 登记日期 is often the birth registration, some on the
  birth date itself): the birth date is otherwise generalized to a 5-year band, and such a
  date would give it back. The birth date comes from the file's birth-date column, else from
  its resident-ID column (digits 7-14). Such a column is generalized to the year (like a birth
  year) and held to k-anonymity with the other quasi-identifiers.
- **k-anonymity.** The quasi-identifiers kept in the masked table (sex, ethnicity, birth band,
  county, and the dates above) go through ``masking.anonymity.k_anonymize``: generalized step by
  step (Datafly), rows in classes smaller than k suppressed (at most ``max_suppressed`` of the
  rows), or ``AnonymityError`` with the report when that is impossible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from masking import columns as C
from masking.anonymity import KAnonymityReport, QuasiIdentifier, k_anonymize
from masking.policies import Action, ColumnPolicy
from masking.policies.model import QI_KIND_OF_ACTION

BIRTH_WINDOW_DAYS = 60


def _id_birth_dates(values: object) -> pa.Array:
    """Birth dates encoded in resident IDs (18 characters: digits 7-14; 15: 19 + digits 7-12);
    null where the value is not an ID of either length or the date is not real."""
    s = pc.utf8_normalize(C.as_strings(values), "NFKC")
    s = pc.replace_substring_regex(s, r"[\s\-]", "")
    n = pc.utf8_length(s)
    ymd = pc.if_else(
        pc.equal(n, 18),
        pc.utf8_slice_codeunits(s, 6, 14),
        pc.if_else(
            pc.equal(n, 15),
            C._join(pa.scalar("19"), pc.utf8_slice_codeunits(s, 6, 12)),
            pa.scalar(None, pa.string()),
        ),
    )
    return pc.cast(pc.strptime(ymd, format="%Y%m%d", unit="s", error_is_null=True), pa.date32())


def birth_dates(table: pa.Table, policies: Sequence[ColumnPolicy]) -> pa.Array | None:
    """Each row's birth date: the birth-date column, gaps filled from a resident-ID column;
    None when the file has neither."""
    found = None
    for pii, read in (("birth_date", C.as_dates), ("resident_id", _id_birth_dates)):
        for p in policies:
            if p.pii != pii or p.column not in table.column_names:
                continue
            try:
                dates = read(table.column(p.column))
            except (TypeError, pa.ArrowInvalid):
                continue
            found = dates if found is None else pc.coalesce(found, dates)
    return found


def _dates_of(values: object) -> pa.Array | None:
    """The column as dates when at least half of its non-empty values are dates, else None."""
    arr = C.as_array(values)
    if not (
        pa.types.is_date(arr.type)
        or pa.types.is_timestamp(arr.type)
        or pa.types.is_string(arr.type)
        or pa.types.is_large_string(arr.type)
    ):
        return None
    dates = C.as_dates(arr)
    present = len(arr) - arr.null_count
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        present = int(
            pc.sum(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)).as_py() or 0
        )
    if not present or (len(dates) - dates.null_count) * 2 < present:
        return None
    return dates


def birth_revealing_dates(
    table: pa.Table, policies: Sequence[ColumnPolicy], births: pa.Array | None
) -> dict[str, dict]:
    """Date columns kept as they are that fall within ``BIRTH_WINDOW_DAYS`` of the birth date
    in at least one row: column -> rows compared, within the window, on the birth date."""
    if births is None:
        return {}
    out: dict[str, dict] = {}
    for p in policies:
        if (
            p.action is not Action.keep
            or p.pii == "birth_date"
            or p.column not in table.column_names
        ):
            continue
        dates = _dates_of(table.column(p.column))
        if dates is None:
            continue
        diff = pc.days_between(births, dates)
        compared = len(diff) - diff.null_count
        within = int(pc.sum(pc.less_equal(pc.abs(diff), BIRTH_WINDOW_DAYS)).as_py() or 0)
        if within:
            same = int(pc.sum(pc.equal(diff, 0)).as_py() or 0)
            out[p.column] = {
                "rows_compared": compared,
                f"within_{BIRTH_WINDOW_DAYS}_days_of_birth": within,
                "on_the_birth_date": same,
            }
    return out


def as_quasi_identifiers(
    policies: list[ColumnPolicy], revealing: dict[str, dict]
) -> list[ColumnPolicy]:
    """The policies with each birth-revealing date column generalized to the year and marked
    a quasi-identifier."""
    out = []
    for p in policies:
        found = revealing.get(p.column)
        if found is None:
            out.append(p)
            continue
        within = found[f"within_{BIRTH_WINDOW_DAYS}_days_of_birth"]
        out.append(
            replace(
                p,
                action=Action.birth_year,
                quasi_identifier=True,
                reason=(
                    f"quasi-identifier: reveals the birth date ({within} of "
                    f"{found['rows_compared']} rows within {BIRTH_WINDOW_DAYS} days of it, "
                    f"{found['on_the_birth_date']} on it): cut to the year"
                ),
            )
        )
    return out


def quasi_identifiers(masked: pa.Table, policies: Sequence[ColumnPolicy]) -> list[QuasiIdentifier]:
    """The quasi-identifiers left in the masked table, with their generalization kind."""
    return [
        QuasiIdentifier(p.column, QI_KIND_OF_ACTION.get(p.action, "category"))
        for p in policies
        if p.quasi_identifier and p.column in masked.column_names
    ]


def anonymity_gate(
    masked: pa.Table,
    policies: Sequence[ColumnPolicy],
    k: int = 5,
    *,
    max_suppressed: float = 0.05,
) -> tuple[pa.Table, KAnonymityReport | None]:
    """``masked`` held to k-anonymity over its quasi-identifiers (none: unchanged, no report);
    ``masking.anonymity.AnonymityError`` when it cannot be."""
    qis = quasi_identifiers(masked, policies)
    if not qis:
        return masked, None
    return k_anonymize(masked, qis, k, max_suppressed=max_suppressed)
